/*
 * Ingestion agent: web chat widget.
 *
 * Plain JavaScript, no build step, no dependencies. Served by `ingestion-agent serve` at
 * /widget.js; the page at / loads it, and any other page can embed it with
 *   <script src="http://host:8080/widget.js" data-ingestion-agent></script>
 * It talks to the service at the script's own origin.
 *
 * Rules it keeps:
 * - Every text from the server goes into the page with textContent, never as HTML.
 * - A secret is typed into a password field, sent as {"fields": {name: value}} (or as a
 *   message when no field is named), and the field is cleared at once: it never reaches the
 *   message list, localStorage or sessionStorage. Only the session id is stored.
 * - The transcript the server keeps (already redacted) is what the message list shows, so a
 *   reload shows the same conversation.
 */
(function () {
  "use strict";

  var script =
    document.currentScript || document.querySelector("script[data-ingestion-agent]");
  if (!script || script.dataset.iaMounted) {
    return;
  }
  script.dataset.iaMounted = "1";

  var SESSIONS = "/api/v1/agents/ingestion/sessions";
  var POLL_MS = 1000;
  var TEXTAREA_MAX_PX = 160;
  // Per step: while it runs, when it finished well, when it failed.
  var STEPS = {
    "test connection": ["Testing the connection", "Connection test passed", "Connection test failed"],
    "discover schema": ["Looking for streams", "Discovery finished", "Discovery failed"],
    "initial pull": ["Running the first pull", "First pull finished", "First pull failed"],
  };
  var uid = 0;

  // -- small helpers ----------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (name === "text") {
        node.textContent = value;
      } else if (name === "className") {
        node.className = value;
      } else if (name.slice(0, 2) === "on") {
        node.addEventListener(name.slice(2), value);
      } else {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    });
    (children || []).forEach(function (child) {
      if (child) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function nextId(name) {
    uid += 1;
    return "ia-" + name + "-" + uid;
  }

  function humanize(name) {
    var words = String(name || "").replace(/_/g, " ").trim();
    return words ? words.charAt(0).toUpperCase() + words.slice(1) : "Secret";
  }

  function lockIcon() {
    return el("span", { className: "ia-lock", "aria-hidden": "true" });
  }

  function stepLabels(step) {
    var labels = STEPS[step];
    if (labels) {
      return labels;
    }
    var words = humanize(step);
    return [words, words + " finished", words + " failed"];
  }

  function storageGet(store, key) {
    try {
      return window[store].getItem(key);
    } catch (error) {
      return null; // storage disabled: the conversation simply isn't restored
    }
  }

  function storageSet(store, key, value) {
    try {
      if (value === null) {
        window[store].removeItem(key);
      } else {
        window[store].setItem(key, value);
      }
    } catch (error) {
      /* storage disabled or full: nothing to keep */
    }
  }

  function ApiError(status, code, message) {
    this.status = status;
    this.code = code;
    this.message = message;
  }

  // -- the widget -------------------------------------------------------------------------

  function Widget(options) {
    this.base = options.base;
    this.mode = options.mode; // "page" | "inline" | "floating"
    this.host = options.host;
    this.credentials = this.base === window.location.origin ? "same-origin" : "include";
    this.sessionKey = "ingestion-agent:session:" + this.base;
    this.openKey = "ingestion-agent:open:" + this.base;
    this.identity = { mode: "gateway" };
    this.sessionId = null;
    this.seen = 0;
    this.lastReply = null;
    this.pending = null;
    this.sending = false;
    this.task = null;
    this.taskCard = null;
    this.following = false;
    this.pollTimer = null;
    this.tickTimer = null;
    this.stream = null;
    this.syncQueued = false;
    this.chain = Promise.resolve();
    this.inputMode = "text";
    this.requiredFields = [];
    this.booted = null;
    this.build();
  }

  // Network ------------------------------------------------------------------------------

  Widget.prototype.token = async function () {
    var global = window.IngestionAgentWidget || {};
    if (typeof global.getToken === "function") {
      return (await global.getToken()) || "";
    }
    return script.dataset.token || global.token || "";
  };

  Widget.prototype.headers = async function (accept) {
    var headers = { Accept: accept || "application/json" };
    if (this.identity.mode === "local" && this.identity.headers) {
      Object.keys(this.identity.headers).forEach(
        function (name) {
          headers[name] = this.identity.headers[name];
        }.bind(this)
      );
    } else if (this.identity.mode === "token") {
      var token = await this.token();
      if (token) {
        headers.Authorization = "Bearer " + token;
      }
    }
    return headers;
  };

  Widget.prototype.loadIdentity = async function () {
    try {
      var response = await fetch(this.base + "/widget/identity", {
        credentials: this.credentials,
        cache: "no-store",
      });
      if (response.ok) {
        this.identity = await response.json();
      }
    } catch (error) {
      /* unreachable: the first real request reports it */
    }
    if (this.identity.mode === "local") {
      var user = (this.identity.headers || {})["X-User-ID"] || "you";
      this.badge.textContent = "Local dev · " + user;
      this.badge.hidden = false;
    }
  };

  Widget.prototype.request = async function (method, path, body) {
    var headers = await this.headers();
    var init = { method: method, headers: headers, credentials: this.credentials, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var response;
    try {
      response = await fetch(this.base + SESSIONS + path, init);
    } catch (error) {
      throw new ApiError(0, "network", "I can't reach the service. Check the connection and try again.");
    }
    if (response.status === 204) {
      return null;
    }
    var data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok) {
      var problem = (data && data.error) || {};
      throw new ApiError(
        response.status,
        problem.code || "http_" + response.status,
        problem.message || "Something went wrong (" + response.status + ")."
      );
    }
    return data;
  };

  // One request at a time, so the transcript count never races a turn.
  Widget.prototype.enqueue = function (work) {
    var run = this.chain.then(work);
    this.chain = run.catch(function () {});
    return run;
  };

  // Building the interface ---------------------------------------------------------------

  Widget.prototype.build = function () {
    var self = this;
    var titleTag = this.mode === "page" ? "h1" : "h2";
    this.titleId = nextId("title");
    this.badge = el("span", { className: "ia-badge", hidden: true });
    this.newButton = el("button", {
      type: "button",
      className: "ia-header-button",
      text: "New chat",
      onclick: function () {
        self.restart();
      },
    });
    var actions = [this.newButton];
    if (this.mode === "floating") {
      actions.push(
        el("button", {
          type: "button",
          className: "ia-header-button ia-close",
          "aria-label": "Close the chat",
          text: "×",
          onclick: function () {
            self.setOpen(false);
          },
        })
      );
    }
    var header = el("header", { className: "ia-header" }, [
      el("div", { className: "ia-heading" }, [
        el(titleTag, { className: "ia-title", id: this.titleId, text: "Connect your data" }),
        el("p", { className: "ia-meta" }, [
          el("span", { className: "ia-subtitle", text: "Chat with the ingestion agent" }),
          this.badge,
        ]),
      ]),
      el("div", { className: "ia-header-actions" }, actions),
    ]);

    this.list = el("ol", {
      className: "ia-messages",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": "Conversation",
    });
    this.typing = el("div", { className: "ia-typing", role: "status", hidden: true }, [
      el("span", { className: "ia-dots", "aria-hidden": "true" }, [
        el("span"),
        el("span"),
        el("span"),
      ]),
      el("span", { className: "ia-sr", text: "The agent is typing" }),
    ]);
    this.scroller = el("div", { className: "ia-scroller" }, [this.list, this.typing]);

    this.controls = el("div", { className: "ia-controls", hidden: true });

    this.textarea = el("textarea", {
      className: "ia-input",
      rows: 1,
      placeholder: "Type a message…",
      "aria-label": "Message",
      autocomplete: "off",
      onkeydown: function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          self.submit();
        }
      },
      oninput: function () {
        self.fitTextarea();
      },
    });

    this.secretId = nextId("secret");
    this.secretHintId = nextId("secret-hint");
    this.secretInput = el("input", {
      id: this.secretId,
      className: "ia-input ia-secret-input",
      type: "password",
      autocomplete: "off",
      autocapitalize: "off",
      spellcheck: "false",
      "aria-describedby": this.secretHintId,
      onkeydown: function (event) {
        if (event.key === "Enter" && !event.isComposing) {
          event.preventDefault();
          self.submit();
        }
      },
    });
    this.toggle = el("button", {
      type: "button",
      className: "ia-toggle",
      "aria-label": "Show the secret",
      "aria-controls": this.secretId,
      text: "Show",
      onclick: function () {
        self.setSecretVisible(self.secretInput.type === "password");
      },
    });
    this.secretLabel = el("label", { className: "ia-secret-label", for: this.secretId });
    this.secretBox = el("div", { className: "ia-secret", hidden: true }, [
      this.secretLabel,
      el("p", {
        className: "ia-secret-hint",
        id: this.secretHintId,
        text: "Goes straight to the vault. It is never shown in the chat.",
      }),
      el("div", { className: "ia-secret-row" }, [this.secretInput, this.toggle]),
    ]);

    this.sendButton = el("button", {
      type: "button",
      className: "ia-send",
      text: "Send",
      onclick: function () {
        self.submit();
      },
    });
    var composer = el("div", { className: "ia-composer" }, [
      el("div", { className: "ia-fields" }, [this.textarea, this.secretBox]),
      this.sendButton,
    ]);
    var footer = el("p", { className: "ia-footnote" }, [
      el("span", { className: "ia-keys", text: "Enter sends · Shift+Enter adds a line · " }),
      "Say “help”, “back” or “cancel” at any time",
    ]);

    this.panel = el(
      "section",
      { className: "ia-panel ia-panel--" + this.mode, "aria-labelledby": this.titleId },
      [header, this.scroller, this.controls, composer, footer]
    );
    this.root = el("div", { className: "ia-widget ia-widget--" + this.mode }, [this.panel]);

    if (this.mode === "floating") {
      this.panel.setAttribute("role", "dialog");
      this.panel.hidden = true;
      this.panel.addEventListener("keydown", function (event) {
        if (event.key === "Escape") {
          self.setOpen(false);
        }
      });
      this.launcher = el(
        "button",
        {
          type: "button",
          className: "ia-launcher",
          "aria-expanded": "false",
          "aria-label": "Open the chat: connect your data",
          onclick: function () {
            self.setOpen(self.panel.hidden);
          },
        },
        [el("span", { className: "ia-launcher-icon", "aria-hidden": "true" }), "Connect data"]
      );
      this.root.appendChild(this.launcher);
    }
    this.host.appendChild(this.root);
  };

  Widget.prototype.activeElement = function () {
    var root = this.root.getRootNode();
    return root.activeElement || document.activeElement;
  };

  Widget.prototype.composerInput = function () {
    return this.inputMode === "secret" ? this.secretInput : this.textarea;
  };

  Widget.prototype.focusComposer = function () {
    if (this.mode === "floating" && this.panel.hidden) {
      return;
    }
    this.composerInput().focus();
  };

  // Move focus to the input when it was lost (a clicked quick reply disappeared) or sits on
  // something hidden; leave it alone when the person is somewhere else on purpose.
  Widget.prototype.keepFocus = function () {
    var active = this.activeElement();
    var lost =
      !active ||
      active === document.body ||
      active === this.root.getRootNode().host ||
      !active.isConnected ||
      active.closest(".ia-controls, .ia-composer, [hidden]") !== null;
    if (lost && (this.mode === "page" || this.root.contains(active) || active === document.body)) {
      this.focusComposer();
    }
  };

  Widget.prototype.fitTextarea = function () {
    this.textarea.style.height = "auto";
    this.textarea.style.height = Math.min(this.textarea.scrollHeight, TEXTAREA_MAX_PX) + "px";
  };

  Widget.prototype.scrollToEnd = function () {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  };

  Widget.prototype.setOpen = function (open) {
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    this.root.classList.toggle("ia-widget--open", open);
    storageSet("sessionStorage", this.openKey, open ? "1" : null);
    if (open) {
      this.boot().then(this.focusComposer.bind(this));
      this.scrollToEnd();
    } else {
      this.launcher.focus();
    }
  };

  // Messages -----------------------------------------------------------------------------

  // How a transcript entry reads: a structured (masked) answer and a redacted message show
  // as a lock line, never as the value.
  function describe(role, text) {
    if (role === "user" && text.indexOf("(form) ") === 0) {
      var names = text.slice(7).split(", ").map(humanize).join(", ");
      return { text: names + " sent securely to the vault", secret: true };
    }
    if (role === "user" && text.trim() === "***REDACTED***") {
      return { text: "Sent privately: not kept in the chat", secret: true };
    }
    return { text: text, secret: false };
  }

  Widget.prototype.entry = function (role, text, className) {
    var shown = describe(role, text);
    var bubble = el("div", { className: "ia-bubble" }, [shown.secret ? lockIcon() : null, shown.text]);
    var classes = ["ia-msg", "ia-msg--" + role];
    if (shown.secret) {
      classes.push("ia-msg--secret");
    }
    if (role === "agent" && /^\s*✓/.test(text)) {
      classes.push("ia-msg--ok");
    } else if (role === "agent" && /^\s*✗/.test(text)) {
      classes.push("ia-msg--fail");
    }
    if (className) {
      classes.push(className);
    }
    return el("li", { className: classes.join(" ") }, [
      el("span", { className: "ia-sr", text: role === "user" ? "You said: " : "Agent said: " }),
      bubble,
    ]);
  };

  Widget.prototype.addEntry = function (role, text, before) {
    var node = this.entry(role, text);
    this.list.insertBefore(node, before || null);
    this.scrollToEnd();
    return node;
  };

  Widget.prototype.addError = function (message) {
    var node = el("li", { className: "ia-msg ia-msg--error", role: "alert" }, [
      el("div", { className: "ia-bubble", text: message }),
    ]);
    this.list.appendChild(node);
    this.scrollToEnd();
  };

  Widget.prototype.showReveal = function (value, after) {
    var self = this;
    var code = el("code", { className: "ia-reveal-value", text: value });
    var status = el("span", { className: "ia-reveal-status", role: "status" });
    var card = el("li", { className: "ia-msg ia-msg--agent ia-reveal" }, [
      el("div", { className: "ia-bubble" }, [
        el("strong", { text: "Shown once — copy it now." }),
        el("p", { text: "It is not kept in this conversation and won't appear after a reload." }),
        code,
        el("div", { className: "ia-reveal-actions" }, [
          el("button", {
            type: "button",
            className: "ia-chip",
            text: "Copy",
            onclick: function () {
              var done = function () {
                status.textContent = "Copied.";
              };
              if (navigator.clipboard && window.isSecureContext) {
                navigator.clipboard.writeText(value).then(done, function () {
                  status.textContent = "Select the text and copy it.";
                });
              } else {
                var range = document.createRange();
                range.selectNodeContents(code);
                var selection = window.getSelection();
                selection.removeAllRanges();
                selection.addRange(range);
                status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
              }
            },
          }),
          el("button", {
            type: "button",
            className: "ia-chip",
            text: "I've saved it",
            onclick: function () {
              card.remove();
              self.focusComposer();
            },
          }),
          status,
        ]),
      ]),
    ]);
    this.list.insertBefore(card, after ? after.nextSibling : null);
    this.scrollToEnd();
  };

  Widget.prototype.showTyping = function (on) {
    this.typing.hidden = !on;
    this.list.setAttribute("aria-busy", on ? "true" : "false");
    if (on) {
      this.scrollToEnd();
    }
  };

  // Background work (a test, a discovery, the first pull) --------------------------------

  Widget.prototype.setTask = function (task, outcome) {
    if (task && this.task && task.id === this.task.id) {
      return;
    }
    if (this.task) {
      // The reply that ends the work says how it went: a failure starts with "✗".
      this.finishTaskCard(/^\s*✗/.test(outcome || ""));
    }
    this.task = task;
    if (task) {
      this.startTaskCard(task);
      this.follow();
    } else {
      this.unfollow();
    }
  };

  Widget.prototype.startTaskCard = function (task) {
    var self = this;
    var labels = stepLabels(task.step);
    var started = Date.now();
    var elapsed = el("span", { className: "ia-task-elapsed", "aria-hidden": "true", text: "0 s" });
    var card = el(
      "li",
      { className: "ia-task", "data-step": task.step, "data-status": "running" },
      [
        el("div", { className: "ia-task-head" }, [
          el("span", { className: "ia-spinner", "aria-hidden": "true" }),
          el("span", { className: "ia-task-label", text: labels[0] + "…" }),
          elapsed,
        ]),
        el("div", { className: "ia-progress", "aria-hidden": "true" }, [
          el("span", { className: "ia-progress-bar" }),
        ]),
        el("button", {
          type: "button",
          className: "ia-task-cancel",
          text: "Cancel",
          onclick: function () {
            self.send("cancel");
          },
        }),
      ]
    );
    card.started = started;
    this.list.appendChild(card);
    this.taskCard = card;
    this.tickTimer = window.setInterval(function () {
      elapsed.textContent = Math.round((Date.now() - started) / 1000) + " s";
    }, 1000);
    this.scrollToEnd();
  };

  Widget.prototype.finishTaskCard = function (failed) {
    var card = this.taskCard;
    window.clearInterval(this.tickTimer);
    this.taskCard = null;
    if (!card) {
      return;
    }
    var seconds = ((Date.now() - card.started) / 1000).toFixed(1);
    var labels = stepLabels(card.getAttribute("data-step"));
    card.setAttribute("data-status", failed ? "failed" : "done");
    card.replaceChildren(
      el("div", { className: "ia-task-head" }, [
        el("span", {
          className: failed ? "ia-task-failed" : "ia-task-done",
          "aria-hidden": "true",
          text: failed ? "✗" : "●",
        }),
        el("span", { className: "ia-task-label", text: labels[failed ? 2 : 1] }),
        el("span", { className: "ia-task-elapsed", text: seconds + " s" }),
      ])
    );
  };

  // Follow the session while work runs: the event stream says when something happened,
  // polling covers a stream that can't open (or opened after the work finished).
  Widget.prototype.follow = function () {
    if (this.following) {
      return;
    }
    this.following = true;
    this.pollTimer = window.setInterval(this.requestSync.bind(this), POLL_MS);
    this.openStream();
  };

  Widget.prototype.unfollow = function () {
    this.following = false;
    window.clearInterval(this.pollTimer);
    if (this.stream) {
      this.stream.abort();
      this.stream = null;
    }
  };

  Widget.prototype.openStream = async function () {
    var controller = new AbortController();
    this.stream = controller;
    try {
      var response = await fetch(
        this.base + SESSIONS + "/" + encodeURIComponent(this.sessionId) + "/events",
        {
          headers: await this.headers("text/event-stream"),
          credentials: this.credentials,
          cache: "no-store",
          signal: controller.signal,
        }
      );
      if (!response.ok || !response.body) {
        return;
      }
      this.requestSync(); // anything that finished before the stream was listening
      var reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      var buffer = "";
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) {
          return;
        }
        buffer += chunk.value.replace(/\r\n/g, "\n");
        var cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          var block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (/^data:/m.test(block)) {
            this.requestSync();
          }
          cut = buffer.indexOf("\n\n");
        }
      }
    } catch (error) {
      /* aborted, or the stream dropped: polling carries on */
    }
  };

  Widget.prototype.requestSync = function () {
    if (this.syncQueued || !this.sessionId) {
      return;
    }
    this.syncQueued = true;
    var self = this;
    this.enqueue(async function () {
      self.syncQueued = false;
      try {
        await self.sync();
      } catch (error) {
        if (error.status === 404) {
          self.lost(); // a running task's session vanished: the service restarted
        }
      }
    });
  };

  // The transcript and the reply ---------------------------------------------------------

  // Show transcript entries not shown yet, then the controls of the latest reply. An entry
  // for the message being sent takes over its placeholder; agent messages that came before
  // it (background work that finished meanwhile) go in front of it.
  Widget.prototype.sync = async function () {
    var view = await this.request("GET", "/" + encodeURIComponent(this.sessionId));
    var fresh = view.transcript.slice(this.seen);
    var added = [];
    this.seen = view.transcript.length;
    fresh.forEach(
      function (item) {
        if (item.role === "user" && this.pending) {
          var stored = this.entry("user", item.text);
          if (stored.textContent === this.pending.textContent) {
            this.pending.classList.remove("ia-msg--pending"); // no second announcement
          } else {
            this.pending.replaceWith(stored); // the server redacted something
          }
          this.pending = null;
        } else {
          added.push({ text: item.text, node: this.addEntry(item.role, item.text, this.pending) });
        }
      }.bind(this)
    );
    if (view.last_reply) {
      this.applyReply(view.last_reply);
    }
    return added;
  };

  Widget.prototype.applyReply = function (reply) {
    var data = reply.data || {};
    this.lastReply = reply;
    this.setTask(data.task || null, reply.message);
    this.setInputMode(data.input_type === "secret" ? "secret" : "text", data.required_fields);
    this.renderControls(reply);
    this.keepFocus();
    this.scrollToEnd();
  };

  Widget.prototype.setInputMode = function (mode, requiredFields) {
    var secret = mode === "secret";
    var wasSecret = this.inputMode === "secret";
    var hadFocus = this.activeElement() === this.composerInput();
    this.requiredFields = Array.isArray(requiredFields) ? requiredFields.slice() : [];
    this.inputMode = secret ? "secret" : "text";
    this.secretBox.hidden = !secret;
    this.textarea.hidden = secret;
    this.root.classList.toggle("ia-widget--secret", secret);
    if (secret) {
      var name = this.requiredFields[0];
      this.secretLabel.replaceChildren(lockIcon(), name ? humanize(name) : "Secret");
      this.secretInput.setAttribute("placeholder", "Paste it here");
    } else if (wasSecret) {
      this.clearSecret();
    }
    if (hadFocus || (secret !== wasSecret && this.root.contains(this.activeElement()))) {
      this.focusComposer();
    }
  };

  Widget.prototype.setSecretVisible = function (visible) {
    this.secretInput.type = visible ? "text" : "password";
    this.toggle.textContent = visible ? "Hide" : "Show";
    this.toggle.setAttribute("aria-label", visible ? "Hide the secret" : "Show the secret");
    this.toggle.classList.toggle("ia-toggle--on", visible);
  };

  Widget.prototype.clearSecret = function () {
    this.secretInput.value = "";
    this.setSecretVisible(false);
  };

  Widget.prototype.clearControls = function () {
    this.controls.replaceChildren();
    this.controls.hidden = true;
  };

  // A quick reply: a button that sends its own text.
  Widget.prototype.optionButton = function (option) {
    var self = this;
    return el("button", {
      type: "button",
      className: "ia-chip",
      text: option,
      onclick: function () {
        self.send(option);
      },
    });
  };

  Widget.prototype.renderControls = function (reply) {
    var options = reply.options || [];
    var data = reply.data || {};
    this.clearControls();
    if (!options.length || this.sending) {
      return;
    }
    if (data.input_type === "multi_choice") {
      this.renderChooser(options, reply.message || "");
    } else {
      var group = el(
        "div",
        { className: "ia-chips", role: "group", "aria-label": "Quick replies" },
        options.map(this.optionButton, this)
      );
      this.controls.appendChild(group);
    }
    this.controls.hidden = false;
  };

  // Streams: toggle buttons (aria-pressed) for the numbered ones, "All", and a button that
  // sends the chosen numbers. Typing ("all except logs", "1,3-5") still works too.
  Widget.prototype.renderChooser = function (options, message) {
    var self = this;
    var names = {};
    message.split("\n").forEach(function (line) {
      var match = /^\s*(\d+)\.\s+(.+?)(?:\s+—\s.*)?$/.exec(line);
      if (match) {
        names[match[1]] = match[2];
      }
    });
    var headingId = nextId("choose");
    var chosen = [];
    var submit = el("button", {
      type: "button",
      className: "ia-chip ia-chip--primary",
      disabled: true,
      text: "Use selected",
      onclick: function () {
        if (chosen.length) {
          self.send(chosen.slice().sort(function (a, b) { return a - b; }).join(","));
        }
      },
    });
    var toggles = el("div", { className: "ia-chips" });
    var rest = [];
    options.forEach(function (option) {
      if (!/^\d+$/.test(option)) {
        rest.push(option);
        return;
      }
      var label = names[option] ? option + " · " + names[option] : option;
      var button = el("button", {
        type: "button",
        className: "ia-chip ia-chip--toggle",
        "aria-pressed": "false",
        "data-value": option,
        text: label,
        onclick: function () {
          var on = button.getAttribute("aria-pressed") !== "true";
          button.setAttribute("aria-pressed", on ? "true" : "false");
          var at = chosen.indexOf(Number(option));
          if (on && at < 0) {
            chosen.push(Number(option));
          } else if (!on && at >= 0) {
            chosen.splice(at, 1);
          }
          submit.disabled = chosen.length === 0;
          submit.textContent = chosen.length ? "Use " + chosen.length + " selected" : "Use selected";
        },
      });
      toggles.appendChild(button);
    });
    var actions = el(
      "div",
      { className: "ia-chips" },
      [submit].concat(rest.map(this.optionButton, this))
    );
    this.controls.appendChild(
      el("div", { className: "ia-chooser", role: "group", "aria-labelledby": headingId }, [
        el("p", { className: "ia-chooser-title", id: headingId, text: "Choose what to pull" }),
        toggles,
        actions,
      ])
    );
  };

  // Sending ------------------------------------------------------------------------------

  Widget.prototype.submit = function () {
    if (this.sending || !this.sessionId) {
      return;
    }
    var input = this.composerInput();
    var value = input.value;
    // An empty masked field is an answer too ("this login has no password"); the service
    // says so, or asks again when the secret may not be empty.
    var emptySecret = this.inputMode === "secret" && !!this.requiredFields[0];
    if (!value.trim() && !emptySecret) {
      return;
    }
    // Cleared before anything else: a secret never stays in the page.
    input.value = "";
    if (this.inputMode === "secret") {
      this.setSecretVisible(false);
    } else {
      this.fitTextarea();
    }
    this.send(value, this.inputMode === "secret");
  };

  Widget.prototype.send = function (value, secret) {
    if (this.sending || !this.sessionId) {
      return Promise.resolve();
    }
    var self = this;
    var field = secret ? this.requiredFields[0] || null : null;
    var body = secret && field ? { fields: {} } : { message: value };
    if (secret && field) {
      body.fields[field] = value;
    }
    // The placeholder reads as the transcript will: the value itself is never shown.
    var shown = secret ? (field ? "(form) " + field : "***REDACTED***") : value;
    value = null;
    this.pending = this.addEntry("user", shown);
    this.pending.classList.add("ia-msg--pending");
    this.sending = true;
    this.clearControls();
    this.showTyping(true);
    this.keepFocus();
    var path = "/" + encodeURIComponent(this.sessionId) + "/chat";
    return this.enqueue(async function () {
      var reply = null;
      try {
        reply = await self.request("POST", path, body);
        body = null;
        var added = await self.sync();
        var reveal = reply.data && reply.data.reveal_once;
        if (reveal) {
          // Right under the message that announces it.
          var said = added.filter(function (item) {
            return item.text === reply.message;
          })[0];
          self.showReveal(reveal, said ? said.node : null);
        }
      } catch (error) {
        body = null;
        if (reply) {
          // Sent, but the session could not be read back: show the reply itself.
          self.seen += 2;
          self.pending = null;
          self.addEntry("agent", reply.message);
          self.applyReply(reply);
        } else {
          self.failed(error, secret ? null : shown);
        }
      } finally {
        self.sending = false;
        self.showTyping(false);
        if (self.lastReply && self.controls.hidden) {
          self.renderControls(self.lastReply);
        }
        self.keepFocus();
        self.scrollToEnd();
      }
    });
  };

  Widget.prototype.failed = function (error, text) {
    if (this.pending) {
      this.pending.remove();
      this.pending = null;
    }
    if (error.status === 404) {
      this.lost();
      return;
    }
    if (error.status === 401) {
      this.addError("You're not signed in: " + error.message);
    } else {
      this.addError("Not sent. " + error.message);
    }
    if (text && !this.textarea.value) {
      this.textarea.value = text;
      this.fitTextarea();
    }
  };

  // Sessions -----------------------------------------------------------------------------

  // The service no longer knows the session: it restarted without Redis, or the session
  // expired. Its answers are gone; say so, then start a new one (once, however many
  // requests found out).
  var LOST =
    "This conversation was lost: the service no longer knows it (it may have restarted, " +
    "or the conversation expired). Starting a new one.";

  Widget.prototype.lost = function () {
    if (!this.sessionId) {
      return;
    }
    this.addError(LOST);
    this.forget();
    this.clearControls();
    this.setInputMode("text", []);
    this.enqueue(this.start.bind(this));
  };

  Widget.prototype.forget = function () {
    this.unfollow();
    this.setTask(null);
    this.sessionId = null;
    this.seen = 0;
    this.lastReply = null;
    storageSet("localStorage", this.sessionKey, null);
  };

  Widget.prototype.start = async function () {
    this.showTyping(true);
    try {
      var reply = await this.request("POST", "", {});
      this.sessionId = reply.session_id;
      this.seen = 0;
      storageSet("localStorage", this.sessionKey, this.sessionId);
      await this.sync();
    } catch (error) {
      this.addError(
        error.status === 401
          ? "You're not signed in: " + error.message
          : "I couldn't start a conversation. " + error.message
      );
    } finally {
      this.showTyping(false);
    }
  };

  Widget.prototype.restore = async function (sessionId) {
    this.sessionId = sessionId;
    this.seen = 0;
    try {
      await this.sync();
      return true;
    } catch (error) {
      this.sessionId = null;
      if (error.status === 404 || error.status === 400) {
        storageSet("localStorage", this.sessionKey, null);
        return false;
      }
      throw error;
    }
  };

  Widget.prototype.boot = function () {
    var self = this;
    if (!this.booted) {
      this.booted = (async function () {
        await self.loadIdentity();
        var saved = storageGet("localStorage", self.sessionKey);
        var restored = false;
        if (saved) {
          try {
            restored = await self.enqueue(self.restore.bind(self, saved));
          } catch (error) {
            self.addError("I couldn't load the conversation. " + error.message);
            return;
          }
        }
        if (!restored) {
          if (saved) {
            self.addError(LOST); // stored, but the service no longer knows it
          }
          await self.enqueue(self.start.bind(self));
        }
        self.keepFocus();
      })();
    }
    return this.booted;
  };

  Widget.prototype.restart = function () {
    var self = this;
    if (this.sending) {
      return;
    }
    var old = this.sessionId;
    this.forget();
    this.pending = null;
    this.clearControls();
    this.setInputMode("text", []);
    this.list.replaceChildren();
    this.enqueue(async function () {
      if (old) {
        try {
          // Ends its work and deletes its staged secrets.
          await self.request("DELETE", "/" + encodeURIComponent(old));
        } catch (error) {
          /* already gone */
        }
      }
      await self.start();
      self.focusComposer();
    });
  };

  // -- mounting ---------------------------------------------------------------------------

  function mount() {
    var base = new URL(script.src, window.location.href).origin;
    var mode = script.dataset.mode === "page" ? "page" : script.dataset.target ? "inline" : "floating";
    var target = script.dataset.target ? document.querySelector(script.dataset.target) : null;
    var host;
    if (mode === "page") {
      host = target || document.body;
    } else {
      // Elsewhere the widget lives in a shadow root: the page's styles and ours stay apart.
      var shadowHost = el("div", { className: "ia-embed", "data-ingestion-agent-widget": "" });
      (target || document.body).appendChild(shadowHost);
      host = shadowHost.attachShadow({ mode: "open" });
      host.appendChild(el("link", { rel: "stylesheet", href: base + "/widget.css" }));
    }
    var widget = new Widget({ base: base, mode: mode, host: host });
    if (mode === "floating") {
      if (storageGet("sessionStorage", widget.openKey) === "1") {
        widget.setOpen(true);
      }
    } else {
      widget.boot();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
})();
