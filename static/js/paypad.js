/* The wallet cashier's 6-digit password pad (templates/wallet/cashier.html). Without
   JavaScript every key is a form post and the server keeps count; with it the digits stay in
   the page (no round trip a quick finger could overtake) until the sixth, which pays. The
   screen reader's count comes from the server's words: data-says holds "0 of 6" … "6 of 6". */
"use strict";
document.addEventListener("click", function (event) {
  var key = event.target instanceof Element && event.target.closest(".pin-pad button");
  var form = key && key.closest("form");
  var pin = form && form.querySelector("input[name=pin]");
  if (!pin) {
    return;
  }
  event.preventDefault();
  if (key.name === "key") {
    pin.value = (pin.value + key.value).slice(0, 6);
  } else if (key.value === "back") {
    pin.value = pin.value.slice(0, -1);
  } else if (key.value === "clear") {
    pin.value = "";
  }
  var status = form.querySelector("[data-says]");
  if (status) {
    status.textContent = JSON.parse(status.dataset.says)[pin.value.length];
  }
  if (pin.value.length === 6) {
    form.querySelector("button[name=action][value=pay]").click();
  }
});
