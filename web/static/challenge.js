// Solves the proof-of-work challenge of a public form (see web/challenge):
// find a decimal string s such that SHA-256(nonce + s) starts with
// `difficulty` zero bits, put it in the hidden field and submit no sooner than
// the server's minimum fill-in time. SHA-256 is written out here because
// crypto.subtle is missing on plain-HTTP origins; the work runs in slices of
// a few milliseconds so the page stays responsive.
(function () {
  'use strict';

  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var H0 = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  ]);
  var W = new Int32Array(64);
  var H = new Int32Array(8);

  // sha256 hashes the first len (at most 55) bytes of msg, one block, into H.
  function sha256(msg, len) {
    var i, x, y;
    for (i = 0; i < 16; i++) { W[i] = 0; }
    for (i = 0; i < len; i++) { W[i >> 2] |= msg[i] << (24 - (i & 3) * 8); }
    W[len >> 2] |= 0x80 << (24 - (len & 3) * 8);
    W[15] = len * 8;
    for (i = 16; i < 64; i++) {
      x = W[i - 15];
      y = W[i - 2];
      W[i] = (W[i - 16] + ((x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ (x >>> 3)) + W[i - 7] +
        ((y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ (y >>> 10))) | 0;
    }
    var a = H0[0], b = H0[1], c = H0[2], d = H0[3], e = H0[4], f = H0[5], g = H0[6], h = H0[7], t1, t2;
    for (i = 0; i < 64; i++) {
      t1 = (h + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) +
        ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      t2 = (((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) +
        ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    H[0] = H0[0] + a; H[1] = H0[1] + b; H[2] = H0[2] + c; H[3] = H0[3] + d;
    H[4] = H0[4] + e; H[5] = H0[5] + f; H[6] = H0[6] + g; H[7] = H0[7] + h;
  }

  // enough reports whether H starts with d zero bits.
  function enough(d) {
    var i = 0;
    while (d >= 32) {
      if (H[i] !== 0) { return false; }
      i++;
      d -= 32;
    }
    return d === 0 || (H[i] >>> (32 - d)) === 0;
  }

  // solve calls done with the smallest solution, working in slices.
  function solve(nonce, difficulty, done) {
    var msg = new Uint8Array(64), base = nonce.length, n = 0, i;
    for (i = 0; i < base; i++) { msg[i] = nonce.charCodeAt(i) & 0xff; }
    function slice() {
      var until = Date.now() + 15, k, s, j;
      for (;;) {
        for (k = 0; k < 200; k++, n++) {
          s = String(n);
          for (j = 0; j < s.length; j++) { msg[base + j] = s.charCodeAt(j); }
          sha256(msg, base + s.length);
          if (enough(difficulty)) { done(s); return; }
        }
        if (Date.now() >= until) { setTimeout(slice, 0); return; }
      }
    }
    slice();
  }

  function setup(form) {
    var nonce = form.getAttribute('data-challenge') || '';
    var difficulty = parseInt(form.getAttribute('data-challenge-difficulty'), 10) || 0;
    var delay = parseInt(form.getAttribute('data-challenge-delay'), 10) || 0;
    // Counted from now, after the server issued the challenge, so the
    // server's minimum is always met.
    var readyAt = Date.now() + delay + 100;
    var field = form.querySelector('input[name=challenge_solution]');
    var status = form.querySelector('[data-challenge-status]');
    var solution = null, waiting = false;

    function send() {
      var wait = readyAt - Date.now();
      if (wait > 0) { setTimeout(send, wait); return; }
      HTMLFormElement.prototype.submit.call(form);
    }
    form.addEventListener('submit', function (ev) {
      if (solution !== null && Date.now() >= readyAt) { return; }
      ev.preventDefault();
      if (waiting) { return; }
      waiting = true;
      if (status) { status.hidden = false; }
      var buttons = form.querySelectorAll('button[type=submit]');
      for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
      if (solution !== null) { send(); }
    });
    solve(nonce, difficulty, function (s) {
      solution = s;
      if (field) { field.value = s; }
      if (waiting) { send(); }
    });
  }

  function start() {
    var forms = document.querySelectorAll('form[data-challenge]');
    for (var i = 0; i < forms.length; i++) { setup(forms[i]); }
  }
  // A page restored from the back-forward cache holds a used challenge.
  window.addEventListener('pageshow', function (ev) {
    if (ev.persisted && document.querySelector('form[data-challenge]')) { window.location.reload(); }
  });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
