"""What the demo chain is made of: cities, tables, staff, the menu, recipes and the pantry.

Plain data only; the builders draw from it with a seeded `random.Random`.
"""

from __future__ import annotations

from dataclasses import dataclass

BRAND_ZH = "智链小厨"
BRAND_EN = "Zhilian Kitchen"
DEMO_EMAIL_DOMAIN = "zhilian-demo.example"


@dataclass(frozen=True)
class StoreSite:
    city: str
    city_zh: str
    city_code: str
    district: str
    region: str
    branch_zh: str
    branch_en: str
    address: str
    latitude: float
    longitude: float
    phone_prefix: str
    spicy: bool = False  # Sichuan/Chongqing guests order more of the spicy dishes.


SITES: tuple[StoreSite, ...] = (
    StoreSite(
        "Shanghai",
        "上海",
        "SH",
        "Jing'an 静安区",
        "East China 华东",
        "静安寺店",
        "Jing'an Temple",
        "上海市静安区南京西路1788号",
        31.223100,
        121.458100,
        "021",
    ),
    StoreSite(
        "Beijing",
        "北京",
        "BJ",
        "Chaoyang 朝阳区",
        "North China 华北",
        "三里屯店",
        "Sanlitun",
        "北京市朝阳区三里屯路19号",
        39.936500,
        116.447700,
        "010",
    ),
    StoreSite(
        "Guangzhou",
        "广州",
        "GZ",
        "Tianhe 天河区",
        "South China 华南",
        "天河城店",
        "Tianhe City",
        "广州市天河区天河路208号",
        23.132200,
        113.326500,
        "020",
    ),
    StoreSite(
        "Shenzhen",
        "深圳",
        "SZ",
        "Nanshan 南山区",
        "South China 华南",
        "科技园店",
        "Science Park",
        "深圳市南山区科苑路15号",
        22.533300,
        113.930500,
        "0755",
    ),
    StoreSite(
        "Chengdu",
        "成都",
        "CD",
        "Jinjiang 锦江区",
        "Southwest 西南",
        "春熙路店",
        "Chunxi Road",
        "成都市锦江区春熙路88号",
        30.657000,
        104.081000,
        "028",
        spicy=True,
    ),
    StoreSite(
        "Hangzhou",
        "杭州",
        "HZ",
        "Xihu 西湖区",
        "East China 华东",
        "西湖店",
        "West Lake",
        "杭州市西湖区北山街56号",
        30.259000,
        120.130000,
        "0571",
    ),
    StoreSite(
        "Shanghai",
        "上海",
        "SH",
        "Pudong 浦东新区",
        "East China 华东",
        "陆家嘴店",
        "Lujiazui",
        "上海市浦东新区陆家嘴环路1000号",
        31.239700,
        121.499800,
        "021",
    ),
    StoreSite(
        "Beijing",
        "北京",
        "BJ",
        "Haidian 海淀区",
        "North China 华北",
        "中关村店",
        "Zhongguancun",
        "北京市海淀区中关村大街27号",
        39.983400,
        116.316000,
        "010",
    ),
    StoreSite(
        "Nanjing",
        "南京",
        "NJ",
        "Qinhuai 秦淮区",
        "East China 华东",
        "新街口店",
        "Xinjiekou",
        "南京市秦淮区中山南路1号",
        32.041500,
        118.784000,
        "025",
    ),
    StoreSite(
        "Wuhan",
        "武汉",
        "WH",
        "Jianghan 江汉区",
        "Central China 华中",
        "江汉路店",
        "Jianghan Road",
        "武汉市江汉区江汉路118号",
        30.580000,
        114.287000,
        "027",
    ),
    StoreSite(
        "Chongqing",
        "重庆",
        "CQ",
        "Yuzhong 渝中区",
        "Southwest 西南",
        "解放碑店",
        "Jiefangbei",
        "重庆市渝中区民族路166号",
        29.557000,
        106.577000,
        "023",
        spicy=True,
    ),
    StoreSite(
        "Xi'an",
        "西安",
        "XA",
        "Beilin 碑林区",
        "Northwest 西北",
        "钟楼店",
        "Bell Tower",
        "西安市碑林区东大街22号",
        34.259000,
        108.947000,
        "029",
    ),
    StoreSite(
        "Suzhou",
        "苏州",
        "SU",
        "Gusu 姑苏区",
        "East China 华东",
        "观前街店",
        "Guanqian Street",
        "苏州市姑苏区观前街58号",
        31.311000,
        120.620000,
        "0512",
    ),
    StoreSite(
        "Tianjin",
        "天津",
        "TJ",
        "Heping 和平区",
        "North China 华北",
        "滨江道店",
        "Binjiang Road",
        "天津市和平区滨江道200号",
        39.118000,
        117.195000,
        "022",
    ),
)

# Lunch and dinner services; Friday and Saturday dinners run later.
WEEKDAY_HOURS = [["10:30", "14:30"], ["17:00", "22:00"]]
WEEKEND_HOURS = [["10:30", "14:30"], ["17:00", "22:30"]]
BUSINESS_HOURS = {
    "mon": WEEKDAY_HOURS,
    "tue": WEEKDAY_HOURS,
    "wed": WEEKDAY_HOURS,
    "thu": WEEKDAY_HOURS,
    "fri": WEEKEND_HOURS,
    "sat": WEEKEND_HOURS,
    "sun": WEEKDAY_HOURS,
}

# Relative order volume per weekday (Monday first): weekends are busier.
WEEKDAY_VOLUME = (0.85, 0.85, 0.9, 0.95, 1.15, 1.4, 1.3)

# (prefix, capacity, count at size 1.0) for hall tables.
HALL_TABLES = (("A", 2, 8), ("B", 4, 12), ("C", 6, 5), ("D", 8, 2))
PRIVATE_ROOMS = (("牡丹厅", 12), ("芙蓉厅", 10), ("兰亭", 8), ("竹韵", 10), ("海棠厅", 14), ("梅苑", 8))
BANQUET_HALLS = (("锦绣宴会厅", 120), ("金玉满堂厅", 80))

# The team a store employs (the head-count per period comes from scheduling.demand.STAFFING):
# position -> (count at size 1.0, hourly wage cents, skills pool, preferred shifts pool); sized so
# the scheduler can cover a ~140-orders-a-day store within everyone's weekly cap (labor ~25% of revenue).
TEAM = {
    "manager": (1, 65_00, ["operations", "scheduling", "customer_service", "cost_control"], ["afternoon"]),
    "chef": (
        6,
        42_00,
        ["wok", "sichuan", "cantonese", "roast_duck", "dim_sum", "knife_skills", "steaming"],
        ["morning", "evening"],
    ),
    "kitchen_helper": (4, 26_00, ["prep", "knife_skills", "dim_sum", "cold_dishes"], ["morning", "evening"]),
    "waiter": (11, 24_00, ["service", "wine", "english", "tea_service", "banquet"], ["morning", "evening"]),
    "cashier": (3, 25_00, ["pos", "cash_handling", "invoicing", "membership"], ["morning", "evening"]),
    "host": (3, 25_00, ["reception", "reservations", "english", "banquet"], ["evening", "morning"]),
    "dishwasher": (4, 21_00, ["dishwashing", "cleaning"], ["morning", "evening"]),
    "cleaner": (1, 20_00, ["cleaning"], ["morning"]),
}
TRAININGS = (
    "food_safety",
    "fire_safety",
    "service_standards",
    "haccp",
    "first_aid",
    "pos_system",
    "allergen_awareness",
    "wine_basics",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉晶宇浩凯婷雪琳颖欣怡佳子轩涵瑞博文思雨晨阳"


@dataclass(frozen=True)
class Dish:
    code: str
    name_zh: str
    name_en: str
    category: str
    price_cents: int
    popularity: float
    spicy: bool = False
    # inventory key -> quantity per portion (in the item's unit)
    recipe: tuple[tuple[str, float], ...] = ()

    @property
    def name(self) -> str:
        return f"{self.name_zh} {self.name_en}"


DISHES: tuple[Dish, ...] = (
    Dish(
        "C001", "拍黄瓜", "Smashed Cucumber", "cold", 18_00, 1.0, False, (("cucumber", 0.35), ("garlic_ginger", 0.02))
    ),
    Dish(
        "C002",
        "口水鸡",
        "Mouth-Watering Chicken",
        "cold",
        38_00,
        0.8,
        True,
        (("chicken", 0.3), ("dried_chili", 0.01), ("sichuan_pepper", 0.003), ("peanuts", 0.02)),
    ),
    Dish(
        "C003",
        "夫妻肺片",
        "Sliced Beef in Chili Oil",
        "cold",
        42_00,
        0.6,
        True,
        (("beef", 0.2), ("dried_chili", 0.01), ("sichuan_pepper", 0.003)),
    ),
    Dish("C004", "皮蛋豆腐", "Century Egg Tofu", "cold", 22_00, 0.6, False, (("tofu", 0.3), ("eggs", 2))),
    Dish(
        "H001",
        "宫保鸡丁",
        "Kung Pao Chicken",
        "hot",
        48_00,
        1.6,
        True,
        (("chicken", 0.28), ("peanuts", 0.04), ("dried_chili", 0.01), ("cooking_oil", 0.03), ("sugar", 0.01)),
    ),
    Dish(
        "H002",
        "麻婆豆腐",
        "Mapo Tofu",
        "hot",
        32_00,
        1.5,
        True,
        (("tofu", 0.4), ("beef", 0.05), ("sichuan_pepper", 0.003), ("cooking_oil", 0.03)),
    ),
    Dish(
        "H003",
        "鱼香肉丝",
        "Yu-Xiang Shredded Pork",
        "hot",
        42_00,
        1.3,
        True,
        (("pork_loin", 0.25), ("eggplant", 0.1), ("cooking_oil", 0.03), ("sugar", 0.01)),
    ),
    Dish(
        "H004",
        "回锅肉",
        "Twice-Cooked Pork",
        "hot",
        48_00,
        1.0,
        True,
        (("pork_belly", 0.3), ("cooking_oil", 0.02), ("dried_chili", 0.005)),
    ),
    Dish(
        "H005",
        "水煮牛肉",
        "Sichuan Boiled Beef",
        "hot",
        68_00,
        1.1,
        True,
        (("beef", 0.35), ("dried_chili", 0.02), ("sichuan_pepper", 0.005), ("cooking_oil", 0.08)),
    ),
    Dish(
        "H006",
        "酸菜鱼",
        "Pickled Cabbage Fish",
        "hot",
        88_00,
        1.3,
        True,
        (("snakehead_fish", 0.9), ("pickled_cabbage", 0.3), ("cooking_oil", 0.05)),
    ),
    Dish(
        "H007",
        "糖醋里脊",
        "Sweet and Sour Pork",
        "hot",
        46_00,
        1.1,
        False,
        (("pork_loin", 0.3), ("sugar", 0.04), ("flour", 0.05), ("cooking_oil", 0.05)),
    ),
    Dish(
        "H008",
        "红烧肉",
        "Braised Pork Belly",
        "hot",
        58_00,
        1.2,
        False,
        (("pork_belly", 0.4), ("soy_sauce", 0.03), ("shaoxing_wine", 0.03), ("sugar", 0.03)),
    ),
    Dish(
        "H009",
        "东坡肉",
        "Dongpo Pork",
        "hot",
        68_00,
        0.6,
        False,
        (("pork_belly", 0.45), ("soy_sauce", 0.03), ("shaoxing_wine", 0.05)),
    ),
    Dish(
        "H010",
        "干煸四季豆",
        "Dry-Fried Green Beans",
        "hot",
        32_00,
        1.0,
        True,
        (("green_beans", 0.35), ("pork_belly", 0.03), ("cooking_oil", 0.04)),
    ),
    Dish(
        "H011",
        "地三鲜",
        "Di San Xian",
        "hot",
        30_00,
        0.8,
        False,
        (("eggplant", 0.25), ("potato", 0.2), ("cooking_oil", 0.06)),
    ),
    Dish(
        "H012",
        "西红柿炒鸡蛋",
        "Tomato and Egg Stir-Fry",
        "hot",
        28_00,
        1.2,
        False,
        (("tomato", 0.3), ("eggs", 3), ("cooking_oil", 0.03)),
    ),
    Dish(
        "H013",
        "清蒸鲈鱼",
        "Steamed Sea Bass",
        "hot",
        98_00,
        0.6,
        False,
        (("sea_bass", 0.7), ("garlic_ginger", 0.03), ("soy_sauce", 0.02)),
    ),
    Dish("H014", "白灼虾", "Poached Shrimp", "hot", 88_00, 0.5, False, (("shrimp", 0.4),)),
    Dish(
        "H015",
        "蒜蓉西兰花",
        "Garlic Broccoli",
        "hot",
        28_00,
        1.1,
        False,
        (("broccoli", 0.35), ("garlic_ginger", 0.03), ("cooking_oil", 0.02)),
    ),
    Dish("H016", "孜然羊肉", "Cumin Lamb", "hot", 68_00, 0.7, True, (("lamb", 0.3), ("cooking_oil", 0.04))),
    Dish(
        "S001",
        "北京烤鸭(整只)",
        "Peking Duck (whole)",
        "signature",
        198_00,
        0.45,
        False,
        (("duck", 1), ("flour", 0.1), ("cucumber", 0.1), ("garlic_ginger", 0.05)),
    ),
    Dish(
        "S002",
        "北京烤鸭(半只)",
        "Peking Duck (half)",
        "signature",
        118_00,
        0.55,
        False,
        (("duck", 0.5), ("flour", 0.05), ("cucumber", 0.05)),
    ),
    Dish(
        "S003",
        "松鼠桂鱼",
        "Squirrel Mandarin Fish",
        "signature",
        128_00,
        0.3,
        False,
        (("mandarin_fish", 0.8), ("sugar", 0.05), ("cooking_oil", 0.1)),
    ),
    Dish(
        "D001", "小笼包(8只)", "Xiaolongbao (8)", "dim_sum", 28_00, 1.4, False, (("flour", 0.12), ("pork_belly", 0.12))
    ),
    Dish("D002", "虾饺(4只)", "Har Gow (4)", "dim_sum", 32_00, 0.9, False, (("shrimp", 0.1), ("flour", 0.06))),
    Dish(
        "D003",
        "叉烧包(3只)",
        "Char Siu Bao (3)",
        "dim_sum",
        22_00,
        0.8,
        False,
        (("pork_loin", 0.1), ("flour", 0.12), ("sugar", 0.02)),
    ),
    Dish(
        "D004",
        "煎饺(10只)",
        "Pan-Fried Dumplings (10)",
        "dim_sum",
        24_00,
        0.9,
        False,
        (("pork_belly", 0.15), ("flour", 0.15), ("cooking_oil", 0.02)),
    ),
    Dish(
        "D005",
        "担担面",
        "Dan Dan Noodles",
        "staple",
        26_00,
        1.0,
        True,
        (("noodles", 0.2), ("pork_belly", 0.05), ("peanuts", 0.01)),
    ),
    Dish(
        "D006",
        "扬州炒饭",
        "Yangzhou Fried Rice",
        "staple",
        32_00,
        1.2,
        False,
        (("rice", 0.2), ("eggs", 1), ("shrimp", 0.03), ("cooking_oil", 0.02)),
    ),
    Dish("T001", "酸辣汤", "Hot and Sour Soup", "soup", 28_00, 0.8, True, (("tofu", 0.1), ("eggs", 1))),
    Dish("T002", "西湖牛肉羹", "West Lake Beef Soup", "soup", 32_00, 0.6, False, (("beef", 0.08), ("eggs", 1))),
    Dish("X001", "杨枝甘露", "Mango Pomelo Sago", "dessert", 26_00, 0.7, False, (("mango", 0.2),)),
    Dish(
        "X002",
        "红糖糍粑",
        "Brown Sugar Rice Cake",
        "dessert",
        22_00,
        0.6,
        False,
        (("rice", 0.15), ("sugar", 0.04), ("cooking_oil", 0.03)),
    ),
)

RICE = Dish("R001", "米饭", "Steamed Rice", "staple", 3_00, 0, False, (("rice", 0.12),))
DRINKS: tuple[Dish, ...] = (
    Dish("B001", "酸梅汤", "Sour Plum Drink", "drink", 12_00, 1.2, False, (("sour_plum", 0.3),)),
    Dish("B002", "王老吉", "Wong Lo Kat Herbal Tea", "drink", 8_00, 1.0, False, (("wlj", 1),)),
    Dish("B003", "可口可乐", "Coca-Cola", "drink", 8_00, 1.0, False, (("cola", 1),)),
    Dish("B004", "青岛啤酒", "Tsingtao Beer", "drink", 15_00, 1.1, False, (("beer", 1),)),
    Dish("B005", "菊花茶(壶)", "Chrysanthemum Tea (pot)", "drink", 28_00, 0.7, False, (("tea", 0.01),)),
    Dish("B006", "鲜榨橙汁", "Fresh Orange Juice", "drink", 22_00, 0.6, False, (("oranges", 0.4),)),
)
MENU: tuple[Dish, ...] = (*DISHES, RICE, *DRINKS)

CUSTOMIZATIONS = (
    ({"spice": "mild"}, "微辣 mild"),
    ({"spice": "extra"}, "特辣 extra spicy"),
    ({"no": ["cilantro"]}, "不要香菜 no cilantro"),
    ({"no": ["scallion"]}, "不要葱 no scallion"),
    ({"less": ["oil"]}, "少油 less oil"),
    ({"less": ["salt"]}, "少盐 less salt"),
)

CANCEL_REASONS = {
    "pending": ("顾客取消 Customer changed their mind", "重复下单 Duplicate order", "顾客未付款 Payment not completed"),
    "confirmed": (
        "菜品售罄 Dish sold out",
        "顾客取消 Customer changed their mind",
        "地址超出配送范围 Out of delivery range",
    ),
    "preparing": (
        "等待时间过长 Waited too long",
        "骑手超时未取餐 Rider did not pick up",
        "顾客临时有事 Customer had to leave",
    ),
}
ORDER_NOTES = (
    "",
    "",
    "",
    "",
    "",
    "老顾客 regular guest",
    "尽快上菜 please hurry",
    "带小孩 with kids",
    "会员 member",
    "生日 birthday",
)


# What preparation loses of an ingredient (trimming, bones, thawing), as the menu's recipes say
# (zhilian.seed.menu); 1 elsewhere. A recipe's stock usage is quantity / yield per portion.
YIELDS = {"duck": "1", "mandarin_fish": "0.85", "shrimp": "0.9", "chicken": "0.95"}


@dataclass(frozen=True)
class Stock:
    key: str
    name_zh: str
    name_en: str
    category: str
    unit: str
    unit_cost_cents: int
    # Reorder point / par level when no recipe uses the item (packaging etc.), at size 1.0.
    min_quantity: float
    max_quantity: float
    supplier: str
    perishable: bool = False
    # Round purchases to this pack size.
    pack: float = 1.0

    @property
    def name(self) -> str:
        return f"{self.name_zh} {self.name_en}"


MEAT_SUPPLIER = "鲜丰肉业 Xianfeng Meat Co."
SEAFOOD_SUPPLIER = "海港水产 Harbor Seafood"
VEG_SUPPLIER = "绿源农场 Lvyuan Farms"
DRY_SUPPLIER = "粮油批发中心 Grain & Oil Wholesale"
BEV_SUPPLIER = "华润饮品 CR Beverages"
PACK_SUPPLIER = "恒洁包装 Hengjie Packaging"

STOCK: tuple[Stock, ...] = (
    Stock("pork_belly", "五花肉", "Pork belly", "meat", "kg", 32_00, 10, 30, MEAT_SUPPLIER, True, 0.5),
    Stock("pork_loin", "猪里脊", "Pork loin", "meat", "kg", 38_00, 8, 25, MEAT_SUPPLIER, True, 0.5),
    Stock("chicken", "鸡腿肉", "Chicken thigh", "meat", "kg", 26_00, 10, 30, MEAT_SUPPLIER, True, 0.5),
    Stock("beef", "牛肉", "Beef", "meat", "kg", 88_00, 8, 25, MEAT_SUPPLIER, True, 0.5),
    Stock("lamb", "羊肉", "Lamb", "meat", "kg", 92_00, 4, 12, MEAT_SUPPLIER, True, 0.5),
    Stock("duck", "北京填鸭", "Whole duck", "meat", "piece", 68_00, 6, 20, MEAT_SUPPLIER, True, 1),
    Stock("snakehead_fish", "黑鱼", "Snakehead fish", "seafood", "kg", 42_00, 8, 25, SEAFOOD_SUPPLIER, True, 0.5),
    Stock("sea_bass", "鲈鱼", "Sea bass", "seafood", "kg", 56_00, 4, 12, SEAFOOD_SUPPLIER, True, 0.5),
    Stock("mandarin_fish", "桂鱼", "Mandarin fish", "seafood", "kg", 98_00, 3, 8, SEAFOOD_SUPPLIER, True, 0.5),
    Stock("shrimp", "鲜虾", "Shrimp", "seafood", "kg", 90_00, 4, 12, SEAFOOD_SUPPLIER, True, 0.5),
    Stock("tofu", "嫩豆腐", "Tofu", "vegetable", "kg", 6_00, 6, 20, VEG_SUPPLIER, True, 1),
    Stock("cucumber", "黄瓜", "Cucumber", "vegetable", "kg", 5_00, 5, 15, VEG_SUPPLIER, True, 1),
    Stock("green_beans", "四季豆", "Green beans", "vegetable", "kg", 9_00, 4, 12, VEG_SUPPLIER, True, 1),
    Stock("broccoli", "西兰花", "Broccoli", "vegetable", "kg", 10_00, 4, 12, VEG_SUPPLIER, True, 1),
    Stock("tomato", "番茄", "Tomato", "vegetable", "kg", 7_00, 5, 15, VEG_SUPPLIER, True, 1),
    Stock("eggplant", "茄子", "Eggplant", "vegetable", "kg", 6_00, 4, 12, VEG_SUPPLIER, True, 1),
    Stock("potato", "土豆", "Potato", "vegetable", "kg", 4_00, 5, 15, VEG_SUPPLIER, False, 1),
    Stock(
        "garlic_ginger", "葱姜蒜", "Scallion, ginger & garlic", "vegetable", "kg", 12_00, 3, 10, VEG_SUPPLIER, True, 0.5
    ),
    Stock("pickled_cabbage", "酸菜", "Pickled cabbage", "vegetable", "kg", 8_00, 6, 20, VEG_SUPPLIER, False, 1),
    Stock("mango", "芒果", "Mango", "vegetable", "kg", 16_00, 3, 10, VEG_SUPPLIER, True, 1),
    Stock("oranges", "橙子", "Oranges", "vegetable", "kg", 9_00, 5, 15, VEG_SUPPLIER, True, 1),
    Stock("eggs", "鸡蛋", "Eggs", "other", "piece", 80, 90, 360, VEG_SUPPLIER, True, 30),
    Stock("rice", "东北大米", "Rice", "dry_goods", "kg", 6_50, 25, 100, DRY_SUPPLIER, False, 25),
    Stock("flour", "面粉", "Wheat flour", "dry_goods", "kg", 5_00, 15, 50, DRY_SUPPLIER, False, 25),
    Stock("noodles", "碱水面", "Fresh noodles", "dry_goods", "kg", 8_00, 5, 15, DRY_SUPPLIER, True, 1),
    Stock("peanuts", "花生米", "Peanuts", "dry_goods", "kg", 18_00, 2, 8, DRY_SUPPLIER, False, 1),
    Stock("dried_chili", "干辣椒", "Dried chili", "seasoning", "kg", 45_00, 1.5, 5, DRY_SUPPLIER, False, 0.5),
    Stock("sichuan_pepper", "花椒", "Sichuan pepper", "seasoning", "kg", 120_00, 0.5, 2, DRY_SUPPLIER, False, 0.5),
    Stock("soy_sauce", "生抽", "Soy sauce", "seasoning", "L", 12_00, 6, 20, DRY_SUPPLIER, False, 5),
    Stock("cooking_oil", "食用油", "Cooking oil", "seasoning", "L", 15_00, 15, 50, DRY_SUPPLIER, False, 5),
    Stock("shaoxing_wine", "绍兴料酒", "Shaoxing wine", "seasoning", "L", 10_00, 4, 12, DRY_SUPPLIER, False, 2.5),
    Stock("sugar", "白砂糖", "Sugar", "seasoning", "kg", 7_00, 4, 12, DRY_SUPPLIER, False, 1),
    Stock("cola", "可口可乐", "Coca-Cola", "beverage", "can", 2_50, 48, 240, BEV_SUPPLIER, False, 24),
    Stock("beer", "青岛啤酒", "Tsingtao beer", "beverage", "bottle", 4_50, 48, 240, BEV_SUPPLIER, False, 24),
    Stock("wlj", "王老吉", "Wong Lo Kat", "beverage", "can", 3_00, 48, 200, BEV_SUPPLIER, False, 24),
    Stock("sour_plum", "酸梅汤原浆", "Sour plum concentrate", "beverage", "L", 8_00, 8, 25, BEV_SUPPLIER, False, 5),
    Stock("tea", "杭白菊", "Chrysanthemum tea", "beverage", "kg", 200_00, 0.5, 2, BEV_SUPPLIER, False, 0.5),
    Stock("takeaway_box", "打包盒", "Takeaway box", "packaging", "piece", 60, 300, 1200, PACK_SUPPLIER, False, 100),
    Stock(
        "chopsticks",
        "一次性筷子",
        "Disposable chopsticks",
        "packaging",
        "pair",
        8,
        300,
        1500,
        PACK_SUPPLIER,
        False,
        100,
    ),
    Stock("delivery_bag", "外卖袋", "Delivery bag", "packaging", "piece", 30, 150, 800, PACK_SUPPLIER, False, 100),
)

SUPPLIER_CONTACTS = {
    MEAT_SUPPLIER: "陈经理 138 1660 2231",
    SEAFOOD_SUPPLIER: "林先生 139 2218 7754",
    VEG_SUPPLIER: "赵女士 137 0092 1183",
    DRY_SUPPLIER: "周经理 136 5521 9087",
    BEV_SUPPLIER: "客服 400-820-1688",
    PACK_SUPPLIER: "吴先生 135 8890 4412",
}

WASTE_REASONS = (("spoiled", 35), ("expired", 25), ("overproduced", 20), ("damaged", 10), ("returned", 5), ("other", 5))
WASTE_NOTES = {
    "spoiled": "冷柜温度偏高 fridge ran warm",
    "expired": "超过保质期 past use-by date",
    "overproduced": "备料过多 over-prepped for service",
    "damaged": "运输破损 damaged in delivery",
    "returned": "顾客退菜 returned by guest",
    "other": "试菜 tasting for new menu",
}

OCCASIONS = (
    ("wedding", "婚宴 Wedding banquet"),
    ("birthday", "寿宴 Birthday banquet"),
    ("corporate", "公司年会 Company dinner"),
    ("full_moon", "满月酒 Full-moon celebration"),
    ("graduation", "谢师宴 Graduation dinner"),
    ("reunion", "同学聚会 Class reunion"),
)
BANQUET_MENUS = (
    ("S001", "C002", "H005", "H006", "H008", "H013", "H014", "D001", "T002", "X001"),
    ("S003", "C003", "H001", "H009", "H013", "H014", "H015", "D002", "T001", "X002"),
    ("S001", "C001", "H004", "H006", "H007", "H016", "H015", "D006", "T002", "X001"),
)
BANQUET_TABLE_PRICES = (2888_00, 3888_00, 5888_00)
SPECIAL_REQUESTS = (
    "",
    "",
    "",
    "靠窗 window seat",
    "需要儿童座椅 high chair needed",
    "生日蛋糕 birthday cake, please",
    "安静一点的位置 quiet corner",
    "轮椅通道 wheelchair access",
    "商务宴请 business dinner",
)
DIETARY = (
    "不吃辣 no spicy food",
    "素食 vegetarian",
    "花生过敏 peanut allergy",
    "清真 halal",
    "海鲜过敏 shellfish allergy",
    "无麸质 gluten-free",
)
RESERVATION_CANCEL_REASONS = (
    "行程变更 change of plans",
    "人数变化 party changed",
    "天气原因 bad weather",
    "改订其他日期 rebooked another day",
)
