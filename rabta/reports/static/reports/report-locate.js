// "Use my location" on the report form: fills two hidden fields. Without it the list works.
(function () {
  var box = document.getElementById("report-locate");
  if (!box || !navigator.geolocation) return;
  var note = box.querySelector(".note");
  box.hidden = false;
  box.querySelector("button").addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("id_lat").value = pos.coords.latitude.toFixed(5);
      document.getElementById("id_lon").value = pos.coords.longitude.toFixed(5);
      note.textContent = box.dataset.done;
    }, function () {
      note.textContent = box.dataset.fail;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
