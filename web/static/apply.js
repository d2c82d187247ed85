// Shows, on the online application, the file inputs of the chosen item's
// materials only, and disables the others so their files are not sent.
// Without script every item's inputs show and the server reads the chosen
// item's only.
(function () {
  'use strict';

  function start() {
    var select = document.getElementById('apply-item');
    var groups = document.querySelectorAll('fieldset[data-item]');
    if (!select || groups.length === 0) { return; }
    function update() {
      for (var i = 0; i < groups.length; i++) {
        var on = groups[i].getAttribute('data-item') === select.value;
        groups[i].hidden = !on;
        groups[i].disabled = !on;
      }
    }
    select.addEventListener('change', update);
    update();
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
