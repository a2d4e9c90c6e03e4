// formkit web: the only script. It shows the name of a chosen file in Swedish, and asks how far
// a running batch has come and shows the result when it is done (without it the page
// refreshes itself every two seconds).
(function () {
  "use strict";
  document.querySelectorAll(".filepick input[type=file]").forEach(function (input) {
    input.addEventListener("change", function () {
      var shown = document.querySelector('.filename[data-for="' + input.id + '"]');
      if (shown) { shown.textContent = input.files.length ? input.files[0].name : "Ingen fil vald"; }
    });
  });
}());
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box) { return; }
  var bar = document.getElementById("progress-bar");
  var label = document.getElementById("progress-label");
  var count = document.getElementById("progress-count");
  function poll() {
    fetch(box.dataset.status, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.state !== "running") { window.location.reload(); return; }
        bar.max = status.total || 1;
        bar.value = status.done;
        label.textContent = status.label + " …";
        count.textContent = status.done + " av " + (status.total || "?");
        window.setTimeout(poll, 400);
      })
      .catch(function () { window.setTimeout(poll, 1500); });
  }
  window.setTimeout(poll, 300);
}());
