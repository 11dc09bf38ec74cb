/* Recording a spoken answer in the browser (progressive enhancement).
 *
 * Each [data-voice] block already works without JavaScript: a consent box and a
 * file input (phones open their recorder). Where MediaRecorder and DataTransfer
 * exist, this adds record / stop / listen / record-again buttons; the recording is
 * put into the same file input, so the form is sent exactly as with a chosen file.
 * Nothing is stored in the browser: the sound lives in memory until the form is sent.
 */
(function () {
  "use strict";
  if (!window.MediaRecorder || !window.DataTransfer || !navigator.mediaDevices) {
    return;
  }

  function setUp(block) {
    var panel = block.querySelector(".voice-recorder");
    var input = block.querySelector('input[type="file"]');
    if (!panel || !input) {
      return;
    }
    var record = panel.querySelector("[data-voice-record]");
    var stop = panel.querySelector("[data-voice-stop]");
    var playback = panel.querySelector("[data-voice-playback]");
    var status = panel.querySelector("[data-voice-status]");
    var consent = block.querySelector('input[type="checkbox"][name^="voice-consent-"]');
    var recorder = null;
    var chunks = [];
    var stream = null;
    var url = null;
    panel.hidden = false;

    function say(text) {
      status.textContent = text || "";
    }

    record.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (s) {
        stream = s;
        chunks = [];
        recorder = new MediaRecorder(stream);
        recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size) {
            chunks.push(event.data);
          }
        });
        recorder.addEventListener("stop", function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          var type = recorder.mimeType || "audio/webm";
          var blob = new Blob(chunks, { type: type });
          var extension = type.indexOf("ogg") >= 0 ? "ogg" : (type.indexOf("mp4") >= 0 ? "m4a" : "webm");
          var transfer = new DataTransfer();
          transfer.items.add(new File([blob], "recording." + extension, { type: type }));
          input.files = transfer.files;
          if (url) {
            URL.revokeObjectURL(url);
          }
          url = URL.createObjectURL(blob);
          playback.src = url;
          playback.hidden = false;
          record.textContent = panel.getAttribute("data-again");
          record.hidden = false;
          stop.hidden = true;
          if (consent) {
            consent.focus();
          }
          say(panel.getAttribute("data-ready"));
        });
        recorder.start();
        record.hidden = true;
        stop.hidden = false;
        stop.focus();
        say(panel.getAttribute("data-recording"));
      }).catch(function () {
        say(panel.getAttribute("data-denied"));
      });
    });

    stop.addEventListener("click", function () {
      if (recorder && recorder.state !== "inactive") {
        recorder.stop();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-voice]"), setUp);
  });
})();
