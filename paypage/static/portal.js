// The portal's only script. The dashboard loads its cash forecast after the page (it takes a while for a
// large creditor) and updates its figures when payments arrive: it asks every few seconds with
// If-None-Match, and an unchanged dashboard answers 304.
(function () {
  "use strict";
  var forecast = document.getElementById("forecast");
  if (!forecast || !window.fetch) { return; }
  forecast.setAttribute("aria-busy", "true");
  fetch(forecast.getAttribute("data-src"), { credentials: "same-origin", cache: "no-store" })
    .then(function (response) { return response.ok ? response.text() : null; })
    .then(function (html) {
      if (!html) { return; }
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".forecast-body");
      var current = forecast.querySelector(".forecast-body");
      if (fresh && current) { current.replaceWith(document.importNode(fresh, true)); }
    })
    .catch(function () { /* the link to the forecast page stays */ })
    .then(function () { forecast.setAttribute("aria-busy", "false"); });
})();

(function () {
  "use strict";
  var box = document.getElementById("figures");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-poll-url");
  var seconds = Math.max(2, parseInt(box.getAttribute("data-poll-seconds"), 10) || 5);
  var etag = '"' + box.getAttribute("data-version") + '"';
  var busy = false;

  function poll() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(url, { headers: { "If-None-Match": etag }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 200) {
          etag = response.headers.get("ETag") || etag;
          return response.text().then(function (html) {
            var parsed = new DOMParser().parseFromString(html, "text/html");
            var fresh = parsed.querySelector(".figures");
            var current = box.querySelector(".figures");
            if (fresh && current) {
              current.replaceWith(document.importNode(fresh, true));
              box.setAttribute("data-version", fresh.getAttribute("data-version") || "");
            }
          });
        }
        if (response.status === 401 || response.redirected) { window.location.reload(); }
        return null;
      })
      .catch(function () { /* offline for a moment: the next round tries again */ })
      .then(function () { busy = false; });
  }

  window.setInterval(poll, seconds * 1000);
  document.addEventListener("visibilitychange", poll);
})();

// ---- workspace: the CSV import page follows its job. The page asks the JSON status every second and
// moves the progress bar; once the job is finished it reloads once, for the report. Without script the
// page refreshes itself (a <noscript> meta refresh) and links to itself.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status]");
  if (!box || !window.fetch || box.getAttribute("data-finished") === "true") { return; }
  var url = box.getAttribute("data-import-status");
  var bar = box.querySelector("progress");
  var summary = box.querySelector("[data-import-summary]");
  var reload = box.querySelector("[data-reload-link]");
  if (reload && reload.parentNode) { reload.parentNode.hidden = true; }
  var timer = null;

  function check() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { return; }
        if (bar) { bar.value = status.percent; bar.textContent = status.percent + " %"; }
        if (summary) { summary.setAttribute("data-processed", String(status.processed)); }
        if (status.finished) {
          window.clearInterval(timer);
          window.location.reload();
        }
      })
      .catch(function () { /* a moment offline: the next round tries again */ });
  }

  timer = window.setInterval(check, 1000);
  check();
})();
