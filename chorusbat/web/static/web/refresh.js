// Pages that wait for background work (a document being prepared, a batch being sent) reload themselves every few
// seconds while the element marked data-refresh-after="SECONDS" is present. Without JavaScript, the page's
// « Actualiser » link does the same. (A script rather than <meta http-equiv="refresh">: the meta refresh cannot be
// paused by assistive technologies, and the Content-Security-Policy allows only same-origin scripts.)
(function () {
  var marker = document.querySelector("[data-refresh-after]");
  if (!marker) return;
  var seconds = parseFloat(marker.getAttribute("data-refresh-after")) || 5;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
