// Store locator: with the shopper's permission, reload the list sorted by distance.
const button = document.getElementById('locate-me');
const status = document.getElementById('locate-status');
if (button && 'geolocation' in navigator) {
  button.hidden = false;
  button.addEventListener('click', () => {
    status.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition((position) => {
      location.href = `/stores?lat=${position.coords.latitude.toFixed(6)}&lng=${position.coords.longitude.toFixed(6)}`;
    }, () => { status.textContent = button.dataset.denied; }, { timeout: 10000 });
  });
}
