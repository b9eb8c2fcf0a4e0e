// Progressive enhancement only: the page works without it.
(function () {
  "use strict";

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
  function digitsOf(text) { return (text.match(/[.,](\d+)\D*$/) || [null, ""])[1].length; }
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
    var amountText = document.querySelector(".balance .total");
    var sample = amountText ? amountText.textContent : "";
    function render() {
      var months = parseInt(select.value, 10);
      var base = Math.floor(total / months);
      var extra = total % months ? 1 : 0;
      var lang = form.getAttribute("data-locale") || document.documentElement.lang;
      out.textContent = months + " × " + formatMinor(base + extra, digitsOf(sample), lang);
    }
    select.addEventListener("change", render);
    render();
  });

  // Embedded in a shop: report the height and a completed payment to the parent page.
  var origins = (document.body.getAttribute("data-embed-origins") || "").split(" ").filter(Boolean);
  if (window.parent !== window && origins.length) {
    var post = function (message) {
      origins.forEach(function (origin) { window.parent.postMessage(message, origin); });
    };
    var resize = function () { post({ type: "inkasso:resize", height: document.documentElement.scrollHeight }); };
    window.addEventListener("load", resize);
    if (window.ResizeObserver) { new ResizeObserver(resize).observe(document.body); }
    var status = document.querySelector("[data-payment-status]");
    if (status && status.getAttribute("data-payment-status") === "succeeded") { post({ type: "inkasso:paid" }); }
  }
})();
