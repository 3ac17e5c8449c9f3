/* Accord web visits: page views to the Accord that served this file.
   <script async src="https://ACCORD/capture/web.js" data-site="SITE"></script>
   Sends nothing when the browser asks not to be tracked (Do-Not-Track, Global Privacy
   Control). The visitor id is random, kept in this site's own storage (first party).
   After a login or a form with an email: accord.identify("ada@example.com").
   Calls made before this file loaded: window.accord = {q: [["identify", email]]}. */
(function () {
  "use strict";
  var tag = document.currentScript;
  if (!tag || !tag.src) return;
  var site = tag.getAttribute("data-site") || "";
  var endpoint = (tag.getAttribute("data-endpoint") || new URL("/collect", tag.src).href) +
    "?site=" + encodeURIComponent(site);
  var nav = window.navigator;
  var optedOut = nav.doNotTrack === "1" || window.doNotTrack === "1" ||
    nav.msDoNotTrack === "1" || nav.globalPrivacyControl === true;
  var KEY = "accord_vid";

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function visitorId() {
    var id = null;
    try { id = localStorage.getItem(KEY); } catch (e) { /* storage blocked */ }
    if (!id) {
      var m = document.cookie.match(/(?:^|; )accord_vid=([A-Za-z0-9-]{8,64})/);
      id = m ? m[1] : newId();
    }
    try { localStorage.setItem(KEY, id); } catch (e) { /* cookie below still works */ }
    document.cookie = KEY + "=" + id + "; path=/; max-age=34128000; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
    return id;
  }

  function send(data) {
    if (optedOut) return;
    data.visitor = data.visitor || visitorId();
    var body = JSON.stringify(data);
    // A string body goes as text/plain: no CORS preflight, and it survives unload.
    if (nav.sendBeacon && nav.sendBeacon(endpoint, body)) return;
    if (window.fetch) {
      fetch(endpoint, {method: "POST", body: body, keepalive: true, credentials: "omit",
                       headers: {"Content-Type": "text/plain"}}).catch(function () {});
    }
  }

  function pageview() {
    send({type: "pageview", url: location.href, title: document.title,
          referrer: document.referrer,
          screen: window.screen ? screen.width + "x" + screen.height : ""});
  }

  var queued = window.accord && window.accord.q;
  window.accord = {
    identify: function (email) {
      if (typeof email === "string" && email.indexOf("@") > 0) {
        send({type: "identify", email: email.trim()});
      }
    },
    pageview: pageview
  };
  pageview();
  window.addEventListener("pagehide", function () {
    send({type: "leave", url: location.href});
  });
  if (queued && queued.length) {
    for (var i = 0; i < queued.length; i++) {
      var call = queued[i];
      if (call && typeof window.accord[call[0]] === "function") {
        window.accord[call[0]].apply(null, call.slice(1));
      }
    }
  }
})();
