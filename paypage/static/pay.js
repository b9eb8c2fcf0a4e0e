// Progressive enhancement only: the page works without it.
(function () {
  "use strict";
  var notifyPaid = function () {};

  // Copy buttons for IBAN and reference.
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) { return; }
      navigator.clipboard.writeText(source.textContent.replace(/\s+/g, " ").trim()).then(function () {
        var label = button.textContent;
        button.textContent = "✓";
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });

  // Amounts stay integers of minor units; only the text is put together here.
  function formatMinor(minor, digits, lang) {
    var unit = Math.pow(10, digits);
    var whole = Math.floor(minor / unit).toLocaleString(lang);
    if (!digits) { return whole; }
    var separator = (new Intl.NumberFormat(lang).formatToParts(1.5).find(function (p) {
      return p.type === "decimal";
    }) || { value: "." }).value;
    return whole + separator + String(minor % unit).padStart(digits, "0");
  }

  // Live instalment preview: "6 × 21,41 €" while the number changes, before the full plan is shown.
  document.querySelectorAll("form[data-total] select[name=months]").forEach(function (select) {
    var form = select.form;
    var total = parseInt(form.getAttribute("data-total"), 10);
    var out = document.createElement("output");
    out.setAttribute("for", select.id);
    out.setAttribute("aria-live", "polite");
    out.className = "hint";
    select.insertAdjacentElement("afterend", out);
    var digits = parseInt(form.getAttribute("data-digits") || "2", 10);
    var pattern = form.getAttribute("data-pattern") || "{}";
    function render() {
      var months = parseInt(select.value, 10);
      var base = Math.floor(total / months);
      var extra = total % months ? 1 : 0;
      var lang = form.getAttribute("data-locale") || document.documentElement.lang;
      out.textContent = months + " × " + pattern.replace("{}", formatMinor(base + extra, digits, lang));
    }
    select.addEventListener("change", render);
    render();
  });

  // A payment being confirmed: look again every few seconds (for a minute) instead of a meta refresh,
  // which would reload the page under a screen reader's feet.
  var pending = document.querySelector('[data-payment-status="pending"]');
  if (pending) {
    var tries = 0;
    var poll = function () {
      tries += 1;
      fetch(window.location.href, { credentials: "same-origin" }).then(function (response) {
        return response.text();
      }).then(function (html) {
        var found = new DOMParser().parseFromString(html, "text/html").querySelector("[data-payment-status]");
        if (found && found.getAttribute("data-payment-status") !== "pending") {
          pending.replaceWith(found);
          if (found.getAttribute("data-payment-status") === "succeeded") { notifyPaid(); }
        } else if (tries < 20) {
          setTimeout(poll, 3000);
        }
      });
    };
    setTimeout(poll, 2000);
  }

  // Embedded in a shop: report the height and a completed payment to the parent page.
  var origins = (document.body.getAttribute("data-embed-origins") || "").split(" ").filter(Boolean);
  if (window.parent !== window && origins.length) {
    var post = function (message) {
      origins.forEach(function (origin) { window.parent.postMessage(message, origin); });
    };
    var resize = function () { post({ type: "inkasso:resize", height: document.documentElement.scrollHeight }); };
    window.addEventListener("load", resize);
    if (window.ResizeObserver) { new ResizeObserver(resize).observe(document.body); }
    notifyPaid = function () { post({ type: "inkasso:paid" }); };
    var status = document.querySelector("[data-payment-status]");
    if (status && status.getAttribute("data-payment-status") === "succeeded") { notifyPaid(); }
  }
})();
