// Pages that wait for background work (a document being prepared, a batch being sent) reload themselves every few
// seconds while the element marked data-refresh-after="SECONDS" is present. Without JavaScript, the page's
// « Actualiser » link does the same. (A script rather than <meta http-equiv="refresh">: the meta refresh cannot be
// paused by assistive technologies, and the Content-Security-Policy allows only same-origin scripts.)
// Nothing typed is ever lost: once a person starts filling in a form of the page, it stops reloading by itself.
(function () {
  var marker = document.querySelector("[data-refresh-after]");
  if (!marker) return;
  var seconds = parseFloat(marker.getAttribute("data-refresh-after")) || 5;
  var busy = false;
  function stop() { busy = true; }
  document.addEventListener("input", stop, true);
  document.addEventListener("change", stop, true);
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("input, textarea, select")) stop();
  }, true);
  window.setTimeout(function () { if (!busy) window.location.reload(); }, seconds * 1000);
})();
