// "Use my location": a progressive enhancement. Without JavaScript or GPS the search form works.
(function () {
  var box = document.getElementById("locate");
  if (!box || !navigator.geolocation) return;
  var note = box.querySelector(".note");
  box.hidden = false;
  box.querySelector("button").addEventListener("click", function () {
    note.textContent = box.dataset.wait;
    navigator.geolocation.getCurrentPosition(function (pos) {
      // Round to about 100 m: enough to find a beat, not a house.
      var lat = pos.coords.latitude.toFixed(3), lon = pos.coords.longitude.toFixed(3);
      window.location.href = box.dataset.url + "?lat=" + lat + "&lon=" + lon;
    }, function () {
      note.textContent = box.dataset.fail;
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  });
})();
