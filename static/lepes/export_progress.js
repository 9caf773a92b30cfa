// The export page polls its job's status until the file is ready (or the job failed).
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || box.dataset.finished) return;
  var url = box.dataset.statusUrl;
  function show(state) {
    document.getElementById("export-label").textContent = state.label;
    document.getElementById("export-percent").textContent = state.percent;
    document.getElementById("export-progress").value = state.percent;
    if (state.download) {
      var link = document.querySelector("#export-download a");
      link.href = state.download;
      document.getElementById("export-download").hidden = false;
    }
    if (state.error) {
      var error = document.getElementById("export-error");
      error.textContent = state.error;
      error.hidden = false;
    }
    return state.status === "done" || state.status === "failed";
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && !show(state)) window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
