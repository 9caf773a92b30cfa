/* Lépés live notifications: the bell's unread badge and a toast for each new notification.
 *
 * Plain JavaScript, no build step. The server keeps the count exact (every message carries
 * unread_count); this script only shows it, announces new notifications through an aria-live
 * region, and reconnects with backoff. On a reconnect it sends the last id it saw (?after=), and
 * the server answers with what was missed; ids already shown are never shown twice. User-facing
 * strings come from data attributes rendered (and translated) by notifications/bell.html.
 */
(function () {
  "use strict";

  var bell = document.getElementById("notification-bell");
  if (!bell || !("WebSocket" in window)) {
    return;
  }
  var badge = document.getElementById("notification-badge");
  var live = document.getElementById("notification-live");
  var unreadLabel = document.getElementById("notification-unread-label");
  var data = bell.dataset;

  var CLOSED_FOR_GOOD = { 4401: true, 4403: true }; // session ended, account deactivated
  var MAX_DELAY = 30000;
  var TOAST_MS = 10000;

  var socket = null;
  var lastId = null; // the newest notification id this page knows of
  var seen = new Set(); // ids already toasted, across reconnects
  var attempt = 0;
  var retryTimer = null;
  var stopped = false;
  var toast = null;
  var toastTimer = null;

  function label(name, n) {
    return (data[name] || "").replace("{n}", String(n));
  }

  function setCount(n) {
    if (typeof n !== "number" || n < 0) {
      return;
    }
    badge.textContent = n > 0 ? String(n) : "";
    badge.setAttribute("data-count", String(n));
    // The link's accessible name is its content: "Notifications 3 unread".
    if (unreadLabel) {
      unreadLabel.hidden = n === 0;
    }
  }

  function safeUrl(url) {
    // Only same-site paths: a notification never links elsewhere.
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : null;
  }

  function hideToast() {
    if (toastTimer) {
      clearTimeout(toastTimer);
      toastTimer = null;
    }
    if (toast && toast.parentNode) {
      toast.parentNode.removeChild(toast);
    }
    toast = null;
  }

  function scheduleHide() {
    if (toastTimer) {
      clearTimeout(toastTimer);
    }
    toastTimer = setTimeout(function () {
      // Kept while the pointer or the keyboard focus is on it.
      if (toast && (toast.matches(":hover") || toast.contains(document.activeElement))) {
        scheduleHide();
      } else {
        hideToast();
      }
    }, TOAST_MS);
  }

  function showToast(text, url) {
    hideToast();
    toast = document.createElement("div");
    toast.className = "toast";
    toast.setAttribute("role", "group");
    toast.setAttribute("aria-label", data.labelToast || "");
    var body = document.createElement(safeUrl(url) ? "a" : "span");
    body.textContent = text;
    if (safeUrl(url)) {
      body.href = safeUrl(url);
    }
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.textContent = data.labelDismiss || "×";
    dismiss.style.marginLeft = "0.75rem";
    dismiss.addEventListener("click", hideToast);
    toast.appendChild(body);
    toast.appendChild(dismiss);
    toast.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        hideToast();
      }
    });
    document.body.appendChild(toast);
    // The live region is what screen readers announce; the toast is what eyes see.
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = text;
    }, 50);
    scheduleHide();
  }

  function remember(message) {
    if (typeof message.id === "number") {
      lastId = lastId === null ? message.id : Math.max(lastId, message.id);
    }
  }

  function announce(messages, more) {
    var fresh = messages.filter(function (message) {
      return message.unread && !seen.has(message.id);
    });
    fresh.forEach(function (message) {
      seen.add(message.id);
    });
    if (fresh.length === 1 && !more) {
      showToast(fresh[0].title, fresh[0].url);
    } else if (fresh.length > 0) {
      showToast(label("labelMany", fresh.length + (more ? "+" : "")), data.inboxUrl);
    }
    fresh.forEach(function (message) {
      document.dispatchEvent(new CustomEvent("lepes:notification", { detail: message }));
    });
  }

  function onMessage(event) {
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (message.type === "hello") {
      attempt = 0;
      bell.setAttribute("data-state", "open");
      (message.missed || []).forEach(remember);
      if (typeof message.last_id === "number") {
        lastId = lastId === null ? message.last_id : Math.max(lastId, message.last_id);
      }
      setCount(message.unread_count);
      announce(message.missed || [], message.more);
    } else if (message.type === "notification") {
      remember(message);
      setCount(message.unread_count);
      announce([message], false);
    } else if (message.type === "state") {
      setCount(message.unread_count);
    }
  }

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    var query =
      lastId === null
        ? "?since=" + encodeURIComponent(data.renderedAt || "")
        : "?after=" + encodeURIComponent(String(lastId));
    return scheme + "//" + window.location.host + (data.wsPath || "/ws/notifications/") + query;
  }

  function connect() {
    retryTimer = null;
    if (stopped || socket) {
      return;
    }
    bell.setAttribute("data-state", "connecting");
    var ws = new WebSocket(socketUrl());
    socket = ws;
    ws.onmessage = onMessage;
    ws.onclose = function (event) {
      if (socket === ws) {
        socket = null;
      }
      bell.setAttribute("data-state", "closed");
      if (CLOSED_FOR_GOOD[event.code]) {
        stopped = true;
        return;
      }
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (stopped || retryTimer || socket) {
      return;
    }
    // Exponential backoff with jitter: 1 s, 2 s, 4 s ... at most 30 s.
    var ceiling = Math.min(MAX_DELAY, 1000 * Math.pow(2, attempt));
    attempt += 1;
    retryTimer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  function reconnectNow() {
    if (stopped || socket) {
      return;
    }
    if (retryTimer) {
      clearTimeout(retryTimer);
      retryTimer = null;
    }
    attempt = 0;
    connect();
  }

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      reconnectNow();
    }
  });
  window.addEventListener("pagehide", function () {
    if (socket) {
      var ws = socket;
      socket = null;
      ws.onclose = null;
      ws.close(1000);
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      reconnectNow();
    }
  });

  connect();
})();
