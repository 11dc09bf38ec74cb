/* consult offline answering: the service worker.
 *
 * Served by /c/<slug>/offline/sw.js, which puts before this file the line
 *   self.CONSULT_OFFLINE = {"urls": [...], "shell": "/c/<slug>/offline"};
 * (what to keep), so the worker's scope is the app's address and nothing else.
 *
 * Keeps the app's page, its scripts, the stylesheet and the bundle on install;
 * answers them from the cache first and refreshes the cache from the network
 * behind (so a phone that comes back online gets new questions next time).
 * Never keeps anything else: no POST, no token, no answer.
 */
"use strict";

var CONFIG = self.CONSULT_OFFLINE || { urls: [], shell: "" };
var CACHE = "consult-offline:" + CONFIG.shell;

function keepable(url) {
  return CONFIG.urls.indexOf(url.pathname) !== -1;
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(CONFIG.urls.map(function (u) { return new Request(u, { cache: "reload", credentials: "same-origin" }); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function refresh(cache, request, key) {
  return fetch(request).then(function (response) {
    if (response && response.ok && response.type === "basic") {
      cache.put(key, response.clone());
    }
    return response;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || !keepable(url)) { return; }
  // One entry per address: the shell's ?lang=... variants share it.
  var key = url.pathname;
  event.respondWith(
    caches.open(CACHE).then(function (cache) {
      return cache.match(key).then(function (cached) {
        var network = refresh(cache, request, key);
        if (cached) {
          // Cache first; the refresh runs behind and its failure (offline) is no error.
          event.waitUntil(network.catch(function () {}));
          return cached;
        }
        return network;
      });
    })
  );
});

self.addEventListener("message", function (event) {
  // The app asks for a fresh bundle (after a new version was seen): fetch and keep it.
  if (event.data && event.data.type === "refresh") {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return Promise.all(CONFIG.urls.map(function (u) {
        return refresh(cache, new Request(u, { cache: "no-cache", credentials: "same-origin" }), u).catch(function () {});
      }));
    }));
  }
});
