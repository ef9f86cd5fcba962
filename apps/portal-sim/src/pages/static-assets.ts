// The portal's static files: its stylesheet and the script that loads the model dropdown
// by XHR when the make changes (old-school XMLHttpRequest, as such portals have).
export const SITE_CSS = `body{font-family:Verdana,Arial,sans-serif;font-size:13px;margin:0}
#header{background:#1f3b63;color:#fff;padding:8px 16px;display:flex;justify-content:space-between}
#header a{color:#fff}#content{padding:16px}.field{margin:6px 0}label{display:inline-block;width:220px}
.field-error,.error{color:#b00020;margin-left:8px}.tile{display:inline-block;border:1px solid #ccc;padding:12px;margin:4px}
#steps li.current{font-weight:bold}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}
#footer{color:#777;padding:16px;font-size:11px}`;

export const VEHICLE_JS = `(function () {
  var make = document.getElementById('ddlMake');
  var model = document.getElementById('ddlModel');
  function option(value, text) {
    var o = document.createElement('option');
    o.value = value; o.text = text; return o;
  }
  make.addEventListener('change', function () {
    model.options.length = 0;
    model.add(option('', make.value ? 'Loading...' : '-- Select --'));
    if (!make.value) return;
    model.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open('GET', '/api/models?make=' + encodeURIComponent(make.value));
    xhr.onload = function () {
      model.options.length = 0;
      model.add(option('', '-- Select --'));
      if (xhr.status === 200) {
        JSON.parse(xhr.responseText).forEach(function (m) { model.add(option(m.value, m.text)); });
      }
      model.disabled = false;
    };
    xhr.onerror = function () { model.disabled = false; };
    xhr.send();
  });
})();`;
