"""The floor: the same rows, turned into the same JSON, by one plain SQL statement through psycopg.

Each query builds the response body in PostgreSQL (json_build_object / json_agg) and returns it as
text, so the floor is "fetch these rows and make that JSON" with no Python in between. The app's
time divided by this time is the overhead of Django, DRF and HTTP.
"""

from __future__ import annotations

import psycopg

ALLOWED = """CASE {s}
    WHEN 'pending' THEN json_build_array('confirmed', 'cancelled')
    WHEN 'confirmed' THEN json_build_array('preparing', 'cancelled')
    WHEN 'preparing' THEN json_build_array('ready', 'cancelled')
    WHEN 'ready' THEN json_build_array('served')
    WHEN 'served' THEN json_build_array('completed')
    ELSE json_build_array() END"""

ORDER_OBJECT = f"""json_build_object(
    'id', o.id, 'store', o.store_id, 'table', o.table_id, 'table_number', t.number,
    'waiter', o.waiter_id, 'waiter_name', e.name, 'order_type', o.order_type,
    'sales_channel', o.sales_channel, 'status', o.status,
    'allowed_transitions', {ALLOWED.format(s="o.status")},
    'items_editable', o.status IN ('pending', 'confirmed'),
    'customer_name', o.customer_name, 'customer_phone', o.customer_phone, 'guest_count', o.guest_count,
    'subtotal_cents', o.subtotal_cents, 'discount_cents', o.discount_cents, 'total_cents', o.total_cents,
    'order_time', o.order_time, 'confirmed_at', o.confirmed_at, 'preparing_at', o.preparing_at,
    'ready_at', o.ready_at, 'served_at', o.served_at, 'completed_at', o.completed_at,
    'cancelled_at', o.cancelled_at, 'cancel_reason', o.cancel_reason, 'notes', o.notes,
    'metadata', o.metadata,
    'items', COALESCE((
        SELECT json_agg(json_build_object(
            'id', i.id, 'item_code', i.item_code, 'item_name', i.item_name, 'quantity', i.quantity,
            'unit_price_cents', i.unit_price_cents, 'subtotal_cents', i.subtotal_cents, 'notes', i.notes,
            'customizations', i.customizations) ORDER BY i.created_at, i.id)
        FROM orders_orderitem i WHERE i.order_id = o.id), '[]'::json),
    'created_at', o.created_at, 'updated_at', o.updated_at)"""

ORDER_LIST = f"""
WITH page AS (
    SELECT * FROM orders_order
    WHERE store_id = %(store)s AND order_time >= %(lo)s AND order_time < %(hi)s
    ORDER BY order_time DESC, id DESC LIMIT %(limit)s
)
SELECT json_build_object(
    'count', (SELECT count(*) FROM orders_order
              WHERE store_id = %(store)s AND order_time >= %(lo)s AND order_time < %(hi)s),
    'next', NULL, 'previous', NULL,
    'results', COALESCE((
        SELECT json_agg({ORDER_OBJECT} ORDER BY o.order_time DESC, o.id DESC)
        FROM page o
        LEFT JOIN stores_table t ON t.id = o.table_id
        LEFT JOIN stores_employee e ON e.id = o.waiter_id), '[]'::json)
)::text
"""

ORDER_DETAIL = f"""
SELECT {ORDER_OBJECT}::text
FROM orders_order o
LEFT JOIN stores_table t ON t.id = o.table_id
LEFT JOIN stores_employee e ON e.id = o.waiter_id
WHERE o.id = %(order)s AND o.store_id = %(store)s
"""

INVENTORY_LIST = """
WITH page AS (
    SELECT * FROM inventory_inventoryitem WHERE store_id = %(store)s ORDER BY store_id, name LIMIT %(limit)s
)
SELECT json_build_object(
    'count', (SELECT count(*) FROM inventory_inventoryitem WHERE store_id = %(store)s),
    'next', NULL, 'previous', NULL,
    'results', COALESCE((SELECT json_agg(json_build_object(
        'id', p.id, 'store', p.store_id, 'name', p.name, 'category', p.category, 'unit', p.unit,
        'current_quantity', p.current_quantity::text, 'min_quantity', p.min_quantity::text,
        'max_quantity', p.max_quantity::text, 'unit_cost_cents', p.unit_cost_cents, 'status', p.status,
        'supplier_name', p.supplier_name, 'supplier_contact', p.supplier_contact, 'is_active', p.is_active,
        'created_at', p.created_at, 'updated_at', p.updated_at) ORDER BY p.store_id, p.name) FROM page p),
        '[]'::json)
)::text
"""

RESERVATION_LIST = """
WITH page AS (
    SELECT * FROM reservations_reservation
    WHERE store_id = %(store)s AND reservation_date = %(day)s ORDER BY starts_at, id LIMIT %(limit)s
)
SELECT json_build_object(
    'count', (SELECT count(*) FROM reservations_reservation WHERE store_id = %(store)s AND reservation_date = %(day)s),
    'next', NULL, 'previous', NULL,
    'results', COALESCE((SELECT json_agg(json_build_object(
        'id', r.id, 'store', r.store_id,
        'tables', COALESCE((SELECT json_agg(json_build_object('id', t.id, 'number', t.number,
                                'capacity', t.capacity, 'kind', t.kind, 'room_name', t.room_name)
                            ORDER BY t.number) FROM reservations_reservationtable rt
                            JOIN stores_table t ON t.id = rt.table_id WHERE rt.reservation_id = r.id), '[]'::json),
        'customer_name', r.customer_name, 'customer_phone', r.customer_phone, 'customer_email', r.customer_email,
        'reservation_type', r.reservation_type, 'reservation_date', r.reservation_date,
        'reservation_time', r.reservation_time, 'duration_minutes', r.duration_minutes,
        'party_size', r.party_size, 'room_name', r.room_name, 'status', r.status,
        'special_requests', r.special_requests, 'dietary_restrictions', r.dietary_restrictions,
        'banquet_details', r.banquet_details, 'estimated_budget_cents', r.estimated_budget_cents,
        'deposit_cents', r.deposit_cents, 'notes', r.notes, 'starts_at', r.starts_at, 'ends_at', r.ends_at,
        'confirmed_at', r.confirmed_at, 'arrival_time', r.arrival_time, 'seated_at', r.seated_at,
        'completed_at', r.completed_at, 'cancelled_at', r.cancelled_at, 'no_show_at', r.no_show_at,
        'cancel_reason', r.cancel_reason, 'created_by', r.created_by_id,
        'created_at', r.created_at, 'updated_at', r.updated_at) ORDER BY r.starts_at, r.id) FROM page r),
        '[]'::json)
)::text
"""

DASHBOARD = """
WITH day_orders AS (
    SELECT * FROM orders_order WHERE store_id = %(store)s AND order_time >= %(lo)s AND order_time < %(hi)s
), totals AS (
    SELECT COALESCE(sum(total_cents) FILTER (WHERE status <> 'cancelled'), 0) AS revenue_cents,
           count(*) FILTER (WHERE status <> 'cancelled') AS order_count,
           COALESCE(sum(guest_count) FILTER (WHERE status <> 'cancelled'), 0) AS guest_count,
           count(*) FILTER (WHERE status NOT IN ('completed', 'cancelled')) AS open_order_count
    FROM day_orders
)
SELECT json_build_object(
    'store', (SELECT json_build_object('id', s.id, 'name', s.name) FROM stores_store s WHERE s.id = %(store)s),
    'date', %(day)s::date,
    'figures', (SELECT json_build_object(
        'revenue_cents', revenue_cents, 'order_count', order_count,
        'average_check_cents', CASE WHEN order_count > 0 THEN round(revenue_cents::numeric / order_count) ELSE 0 END,
        'guest_count', guest_count, 'open_order_count', open_order_count) FROM totals),
    'kpis', COALESCE((SELECT json_agg(json_build_object(
        'kpi', r.kpi_id, 'name', k.name, 'unit', k.unit, 'category', k.category, 'direction', k.direction,
        'value', r.value::text, 'target_value', r.target_value::text, 'achievement_rate', r.achievement_rate::text,
        'change_rate', r.change_rate::text, 'status', r.status, 'trend', r.trend) ORDER BY k.category, r.kpi_id)
        FROM kpis_kpirecord r JOIN kpis_kpi k ON k.id = r.kpi_id
        WHERE r.store_id = %(store)s AND r.record_date = %(day)s AND k.is_active), '[]'::json),
    'revenue_14d', (SELECT json_agg(json_build_object(
        'date', d.day, 'revenue_cents', COALESCE(x.revenue_cents, 0), 'order_count', COALESCE(x.order_count, 0))
        ORDER BY d.day)
        FROM generate_series(%(day)s::date - 13, %(day)s::date, interval '1 day') AS d(day)
        LEFT JOIN (SELECT (order_time AT TIME ZONE %(tz)s)::date AS day, sum(total_cents) AS revenue_cents,
                          count(*) AS order_count
                   FROM orders_order WHERE store_id = %(store)s AND order_time >= %(lo14)s AND order_time < %(hi)s
                     AND status <> 'cancelled' GROUP BY 1) x ON x.day = d.day::date),
    'orders_by_status', (SELECT json_object_agg(s, (SELECT count(*) FROM day_orders WHERE status = s))
        FROM unnest(ARRAY['pending','confirmed','preparing','ready','served','completed','cancelled']) AS s),
    'open_orders', COALESCE((SELECT json_agg(json_build_object(
        'id', o.id, 'status', o.status, 'order_type', o.order_type, 'table', t.number,
        'customer_name', o.customer_name, 'total_cents', o.total_cents, 'order_time', o.order_time)
        ORDER BY o.order_time, o.id)
        FROM (SELECT * FROM day_orders WHERE status NOT IN ('completed', 'cancelled')
              ORDER BY order_time, id LIMIT 200) o
        LEFT JOIN stores_table t ON t.id = o.table_id), '[]'::json),
    'reservations', COALESCE((SELECT json_agg(json_build_object(
        'id', r.id, 'customer_name', r.customer_name, 'party_size', r.party_size,
        'reservation_time', r.reservation_time, 'status', r.status, 'reservation_type', r.reservation_type,
        'tables', (SELECT json_agg(t.number ORDER BY t.number) FROM reservations_reservationtable rt
                   JOIN stores_table t ON t.id = rt.table_id WHERE rt.reservation_id = r.id))
        ORDER BY r.reservation_time, r.id)
        FROM reservations_reservation r WHERE r.store_id = %(store)s AND r.reservation_date = %(day)s), '[]'::json),
    'shifts', COALESCE((SELECT json_agg(json_build_object(
        'id', sh.id, 'employee', sh.employee_id, 'employee_name', e.name, 'position', sh.position,
        'shift_type', sh.shift_type, 'start_time', sh.start_time, 'end_time', sh.end_time,
        'is_confirmed', sh.is_confirmed) ORDER BY sh.start_time, sh.employee_id)
        FROM scheduling_shift sh JOIN scheduling_schedule sc ON sc.id = sh.schedule_id
        JOIN stores_employee e ON e.id = sh.employee_id
        WHERE sc.store_id = %(store)s AND sc.schedule_date = %(day)s), '[]'::json),
    'low_stock', COALESCE((SELECT json_agg(json_build_object(
        'id', i.id, 'name', i.name, 'unit', i.unit, 'current_quantity', i.current_quantity::text,
        'min_quantity', i.min_quantity::text, 'status', i.status) ORDER BY i.status, i.name)
        FROM inventory_inventoryitem i WHERE i.store_id = %(store)s AND i.is_active
          AND i.status IN ('low', 'critical', 'out_of_stock')), '[]'::json),
    'unread_notifications', (SELECT count(*) FROM notifications_notification
                             WHERE recipient_id = %(user)s AND read_at IS NULL)
)::text
"""

QUERIES = {
    "order_list": ORDER_LIST,
    "order_detail": ORDER_DETAIL,
    "inventory_list": INVENTORY_LIST,
    "reservation_list": RESERVATION_LIST,
    "dashboard": DASHBOARD,
}


class Floor:
    """One psycopg connection (no pool, no ORM) running the floor statements, prepared once."""

    def __init__(self, conninfo: str, time_zone: str):
        self.conn = psycopg.connect(conninfo, autocommit=True, prepare_threshold=0)
        self.conn.execute("SELECT set_config('TimeZone', %s, false)", [time_zone])

    def fetch(self, name: str, params: dict) -> str:
        row = self.conn.execute(QUERIES[name], params).fetchone()
        if row is None or row[0] is None:
            raise RuntimeError(f"floor query {name} returned nothing for {params}")
        return row[0]

    def close(self) -> None:
        self.conn.close()
