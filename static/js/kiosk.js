/* Kiosk: a button or link marked data-print prints the page (the receipt, on the kiosk's
   80 mm printer: kiosk.css @media print). Without JavaScript the link opens the printable
   receipt page instead. Everything else on the kiosk is forms and htmx. */
"use strict";
document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (!target) {
    return;
  }
  event.preventDefault();
  window.print();
});
