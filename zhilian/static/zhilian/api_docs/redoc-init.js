/* Starts ReDoc on the schema. The nonce lets its styled-components insert <style> elements under
 * the page's Content-Security-Policy (style-src 'self' 'nonce-...'); see zhilian/api/docs.py. */
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  Redoc.init(container.dataset.specUrl, { nonce: container.dataset.nonce }, container);
})();
