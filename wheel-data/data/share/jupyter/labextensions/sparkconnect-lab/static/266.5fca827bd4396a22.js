"use strict";(self.rspackChunksparkconnect_lab=self.rspackChunksparkconnect_lab||[]).push([[266],{670(o,r,e){var a=e(601),t=e.n(a),p=e(314),n=(e.n(p))()(t());n.push([o.id,`/* The sparkconnect panel. Colours come from JupyterLab's theme variables only, so light and dark
   themes both read well; the fallbacks serve front ends without them. Layout wraps, so the
   panel reads in a pane about 530 px wide. */

.spc-panel {
  font-family: var(--jp-ui-font-family, sans-serif);
  font-size: var(--jp-ui-font-size1, 13px);
  color: var(--jp-ui-font-color1, #212121);
  background: var(--jp-layout-color1, #fff);
  border: 1px solid var(--jp-border-color1, #bdbdbd);
  border-radius: 6px;
  padding: 8px 10px;
  max-width: 960px;
  box-sizing: border-box;
}

/* Parts that are not shown now; the layout rules below must not bring them back. */
.spc-panel [hidden] {
  display: none !important;
}

.spc-head {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 4px 10px;
}

.spc-title {
  font-weight: 600;
  font-size: var(--jp-ui-font-size2, 14px);
}

.spc-summary,
.spc-muted {
  color: var(--jp-ui-font-color2, #616161);
}

.spc-pill {
  border-radius: 10px;
  padding: 1px 8px;
  font-size: var(--jp-ui-font-size0, 11px);
  font-weight: 600;
  color: var(--jp-ui-inverse-font-color1, #fff);
  background: var(--jp-layout-color4, #757575);
}

.spc-pill[data-state='running'] {
  background: var(--jp-success-color1, #388e3c);
}

.spc-pill[data-state='starting'],
.spc-pill[data-state='busy'] {
  background: var(--jp-brand-color1, #1976d2);
}

.spc-pill[data-state='stopped unexpectedly'] {
  background: var(--jp-error-color1, #d32f2f);
}

.spc-pill[data-state='remote'] {
  background: var(--jp-info-color1, #0097a7);
}

.spc-buttons,
.spc-row-buttons {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px;
  margin: 6px 0;
}

.spc-button {
  font: inherit;
  color: var(--jp-ui-font-color1, #212121);
  background: var(--jp-layout-color2, #eee);
  border: 1px solid var(--jp-border-color1, #bdbdbd);
  border-radius: 4px;
  padding: 2px 10px;
  cursor: pointer;
}

.spc-button:hover:not(:disabled) {
  background: var(--jp-layout-color3, #e0e0e0);
}

.spc-button:disabled {
  opacity: 0.5;
  cursor: default;
}

.spc-primary {
  color: var(--jp-ui-inverse-font-color1, #fff);
  background: var(--jp-brand-color1, #1976d2);
  border-color: var(--jp-brand-color1, #1976d2);
}

.spc-primary:hover:not(:disabled) {
  background: var(--jp-brand-color0, #0d47a1);
}

.spc-danger {
  color: var(--jp-error-color1, #d32f2f);
  border-color: var(--jp-error-color1, #d32f2f);
}

.spc-confirm {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px 8px;
  padding: 6px 8px;
  margin: 4px 0;
  border-left: 3px solid var(--jp-error-color1, #d32f2f);
  background: var(--jp-layout-color2, #eee);
}

.spc-confirm-text {
  flex: 1 1 220px;
}

.spc-message {
  display: flex;
  align-items: flex-start;
  gap: 6px;
  margin: 4px 0;
  padding: 4px 8px;
  border-left: 3px solid var(--jp-brand-color1, #1976d2);
  background: var(--jp-layout-color2, #eee);
  overflow-x: auto;
}

.spc-message[data-level='error'] {
  border-left-color: var(--jp-error-color1, #d32f2f);
}

.spc-message-body {
  flex: 1 1 auto;
  min-width: 0;
}

/* The cards of render/ are inline blocks sized to their content; here they must fit the pane. */
.spc-message-body .sparkconnect-card {
  display: block !important;
  max-width: 100%;
  box-sizing: border-box;
}

.spc-message-body th,
.spc-message-body td {
  overflow-wrap: anywhere;
}

.spc-message-body pre {
  white-space: pre-wrap;
  margin: 2px 0;
}

.spc-close {
  font: inherit;
  border: none;
  background: none;
  color: var(--jp-ui-font-color2, #616161);
  cursor: pointer;
  padding: 0 4px;
}

.spc-error-text {
  color: var(--jp-error-color1, #d32f2f);
}

.spc-tabs {
  display: flex;
  flex-wrap: wrap;
  gap: 2px;
  border-bottom: 1px solid var(--jp-border-color2, #e0e0e0);
  margin-top: 6px;
}

.spc-tab {
  font: inherit;
  color: var(--jp-ui-font-color2, #616161);
  background: none;
  border: none;
  border-bottom: 2px solid transparent;
  padding: 4px 10px;
  cursor: pointer;
}

.spc-tab-active {
  color: var(--jp-ui-font-color1, #212121);
  border-bottom-color: var(--jp-brand-color1, #1976d2);
}

.spc-body {
  padding-top: 6px;
}

.spc-kv th {
  text-align: left;
  font-weight: 600;
  padding: 1px 12px 1px 0;
  vertical-align: top;
  white-space: nowrap;
}

.spc-kv td {
  text-align: left;
  overflow-wrap: anywhere;
}

.spc-notebooks {
  margin: 2px 0;
  padding-left: 18px;
}

.spc-me {
  color: var(--jp-ui-font-color2, #616161);
}

.spc-note {
  color: var(--jp-ui-font-color2, #616161);
  margin-top: 4px;
}

.spc-warn {
  color: var(--jp-warn-color1, #f57c00);
}

.spc-field {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px;
  margin-bottom: 4px;
}

.spc-panel select,
.spc-panel input {
  font: inherit;
  color: var(--jp-ui-font-color1, #212121);
  background: var(--jp-input-background, var(--jp-layout-color1, #fff));
  border: 1px solid var(--jp-border-color1, #bdbdbd);
  border-radius: 3px;
  padding: 2px 4px;
}

.spc-conf-rows {
  margin-top: 6px;
}

.spc-conf-row {
  margin: 3px 0;
}

.spc-conf-line {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 4px;
}

.spc-conf-key {
  flex: 2 1 200px;
  font-family: var(--jp-code-font-family, monospace) !important;
}

.spc-conf-value {
  flex: 1 1 100px;
  font-family: var(--jp-code-font-family, monospace) !important;
}

.spc-conf-row[data-state='invalid'] input {
  border-color: var(--jp-error-color1, #d32f2f);
  /* A tint of the error colour over the input's own background, not --jp-error-color3: that is
     a light pink in the dark themes too, under their light text. */
  background: color-mix(
    in srgb,
    var(--jp-error-color1, #d32f2f) 14%,
    var(--jp-input-background, var(--jp-layout-color1, #fff))
  );
  color: var(--jp-ui-font-color0, #000);
}

.spc-row-problem {
  color: var(--jp-error-color1, #d32f2f);
  font-size: var(--jp-ui-font-size0, 11px);
}

.spc-conf-row[data-state='checking'] .spc-row-problem {
  color: var(--jp-ui-font-color2, #616161);
}

.spc-badge {
  font: inherit;
  font-size: var(--jp-ui-font-size0, 11px);
  white-space: nowrap;
  border-radius: 10px;
  padding: 1px 8px;
  border: 1px solid var(--jp-border-color1, #bdbdbd);
  color: var(--jp-ui-font-color1, #212121);
  background: var(--jp-layout-color2, #eee);
  cursor: pointer;
}

.spc-badge:disabled {
  cursor: default;
}

.spc-badge[data-applies='session'] {
  border-color: var(--jp-brand-color1, #1976d2);
  color: var(--jp-brand-color1, #1976d2);
}

.spc-plan-details {
  margin-top: 6px;
}

.spc-plan-details summary {
  cursor: pointer;
  color: var(--jp-ui-font-color2, #616161);
}

.spc-plan {
  overflow-x: auto;
}

.spc-path {
  font-size: var(--jp-ui-font-size0, 11px);
  overflow-wrap: anywhere;
}

.spc-log {
  font-family: var(--jp-code-font-family, monospace);
  font-size: var(--jp-code-font-size, 12px);
  color: var(--jp-content-font-color1, #212121);
  background: var(--jp-layout-color2, #f5f5f5);
  max-height: 24em;
  overflow: auto;
  padding: 4px 6px;
  margin: 4px 0;
  /* Long lines wrap rather than scroll sideways: the panel must read in a narrow pane. */
  white-space: pre-wrap;
  overflow-wrap: anywhere;
}

.spc-log-warn {
  color: var(--jp-warn-color0, #e65100);
}

.spc-log-error,
.spc-log-fatal {
  color: var(--jp-error-color0, #b71c1c);
  font-weight: 600;
}

.spc-log-debug,
.spc-log-trace {
  color: var(--jp-ui-font-color3, #9e9e9e);
}

.spc-scroll {
  overflow-x: auto;
}

.spc-jobs {
  border-collapse: collapse;
  font-size: var(--jp-ui-font-size1, 13px);
}

.spc-jobs th,
.spc-jobs td {
  text-align: left;
  padding: 2px 6px;
  border-bottom: 1px solid var(--jp-border-color2, #e0e0e0);
  vertical-align: top;
}

.spc-jobs th {
  font-weight: 600;
}

/* Numbers and the Cancel button keep to one line; the description takes what is left. */
.spc-jobs td:not(.spc-job-description) {
  white-space: nowrap;
}

.spc-job-description {
  font-family: var(--jp-code-font-family, monospace);
  max-width: 36em;
  overflow-wrap: anywhere;
}

.spc-job[data-status='running'] .spc-job-status {
  color: var(--jp-brand-color1, #1976d2);
}

.spc-job[data-status='succeeded'] .spc-job-status {
  color: var(--jp-success-color1, #388e3c);
}

.spc-job[data-status='failed'] .spc-job-status {
  color: var(--jp-error-color1, #d32f2f);
}

.spc-job[data-status='cancelled'] .spc-job-status {
  color: var(--jp-warn-color1, #f57c00);
}

.spc-cancel-said {
  font-size: var(--jp-ui-font-size0, 11px);
  max-width: 200px;
}

.spc-ui-link {
  color: var(--jp-content-link-color, #1976d2);
  text-decoration: underline;
}

.spc-ui-frame {
  width: 100%;
  height: 520px;
  border: 1px solid var(--jp-border-color2, #e0e0e0);
  background: #fff; /* the Spark UI's own pages are light */
}

/* The JupyterLab sidebar and log tab (labextension/) show this view in a pane of their own:
   no frame, the pane's full size, and a sidebar about 250-300 px wide. */

.spc-panel[data-layout] {
  border: none;
  border-radius: 0;
  max-width: none;
  min-height: 100%;
}

.spc-panel[data-layout='sidebar'] .spc-kv th {
  padding-right: 8px;
}

.spc-panel[data-layout='sidebar'] .spc-jobs {
  font-size: var(--jp-ui-font-size0, 11px);
}

.spc-panel[data-layout='log'] {
  height: 100%;
  display: flex;
  flex-direction: column;
}

.spc-panel[data-layout='log'] .spc-body-logs {
  flex: 1 1 auto;
  min-height: 0;
  display: flex;
  flex-direction: column;
  padding-top: 0;
}

.spc-panel[data-layout='log'] .spc-log {
  flex: 1 1 auto;
  max-height: none;
  min-height: 0;
}

.spc-link {
  font: inherit;
  color: var(--jp-content-link-color, #1976d2);
  background: none;
  border: none;
  padding: 0;
  cursor: pointer;
  text-align: left;
  text-decoration: underline;
  overflow-wrap: anywhere;
}

.spc-open-failure-log {
  margin-top: 4px;
}

.spc-snippet {
  margin-top: 12px;
  padding: 6px 8px;
  border: 1px solid var(--jp-border-color2, #e0e0e0);
  border-radius: 4px;
}

.spc-snippet-title {
  display: flex;
  align-items: center;
  justify-content: space-between;
  gap: 6px;
  font-weight: 600;
  margin-bottom: 4px;
}

.spc-snippet-code {
  margin: 0 0 4px;
  padding: 4px 6px;
  font-family: var(--jp-code-font-family, monospace);
  font-size: var(--jp-code-font-size, 12px);
  color: var(--jp-content-font-color1, #212121);
  background: var(--jp-layout-color2, #f5f5f5);
  white-space: pre;
  overflow-x: auto;
  user-select: all;
}

.spc-snippet code {
  font-family: var(--jp-code-font-family, monospace);
}

/* A conf row in the sidebar: the key on a line of its own, the value and its badge below. */
.spc-panel[data-layout='sidebar'] .spc-conf-key {
  flex: 1 1 100%;
  min-width: 0;
}

.spc-panel[data-layout='sidebar'] .spc-eq {
  display: none;
}

.spc-panel[data-layout='sidebar'] .spc-conf-value {
  flex: 1 1 60px;
  min-width: 0;
}

.spc-panel[data-layout='sidebar'] .spc-conf-row {
  padding-bottom: 4px;
  border-bottom: 1px solid var(--jp-border-color2, #e0e0e0);
}

/* The cards in a sidebar's message: long keys, paths and commands wrap instead of running out
   of the pane. */
.spc-panel[data-layout='sidebar'] .spc-message-body code,
.spc-panel[data-layout='sidebar'] .spc-message-body th,
.spc-panel[data-layout='sidebar'] .spc-message-body td,
.spc-panel[data-layout='sidebar'] .spc-message-body div {
  white-space: normal !important;
  overflow-wrap: anywhere;
}
`,""]),e.d(r,{},{A:n})},646(o,r,e){var a=e(601),t=e.n(a),p=e(314),n=e.n(p),s=e(670),c=e(247),i=n()(t());i.i(s.A),i.i(c.A),i.push([o.id,"/* The shared view's own rules (the `%spark panel` output uses them too), then the Lab's. */\n",""]),e.d(r,{},{A:i})},247(o,r,e){var a=e(601),t=e.n(a),p=e(314),n=(e.n(p))()(t());n.push([o.id,`/* The sidebar, the log tab and the status bar item. Theme variables only. */

.spc-lab-sidebar {
  min-width: 240px;
  overflow-y: auto;
  background: var(--jp-layout-color1);
}

.spc-lab-sidebar .spc-panel {
  padding: 8px;
}

.spc-lab-log .spc-lab-view {
  overflow: hidden;
  background: var(--jp-layout-color1);
}

.spc-lab-log .spc-panel {
  padding: 6px 10px;
}

.spc-lab-ui iframe {
  background: #fff; /* the Spark UI's own pages are light */
}

.spc-status-item {
  cursor: pointer;
  padding: 0 6px;
  font-size: var(--jp-ui-font-size1);
  color: var(--jp-ui-font-color2);
  line-height: 24px;
}

.spc-status-item:hover {
  background: var(--jp-layout-color2);
}

.spc-status-item[data-state='running'] {
  color: var(--jp-success-color1);
}

.spc-status-item[data-state='starting'],
.spc-status-item[data-state='busy'] {
  color: var(--jp-warn-color0);
}

.spc-status-item[data-state='failed to start'],
.spc-status-item[data-state='stopped unexpectedly'] {
  color: var(--jp-error-color1);
}
`,""]),e.d(r,{},{A:n})},314(o){o.exports=function(o){var r=[];return r.toString=function(){return this.map(function(r){var e="",a=void 0!==r[5];return r[4]&&(e+="@supports (".concat(r[4],") {")),r[2]&&(e+="@media ".concat(r[2]," {")),a&&(e+="@layer".concat(r[5].length>0?" ".concat(r[5]):""," {")),e+=o(r),a&&(e+="}"),r[2]&&(e+="}"),r[4]&&(e+="}"),e}).join("")},r.i=function(o,e,a,t,p){"string"==typeof o&&(o=[[null,o,void 0]]);var n={};if(a)for(var s=0;s<this.length;s++){var c=this[s][0];null!=c&&(n[c]=!0)}for(var i=0;i<o.length;i++){var l=[].concat(o[i]);a&&n[l[0]]||(void 0!==p&&(void 0===l[5]||(l[1]="@layer".concat(l[5].length>0?" ".concat(l[5]):""," {").concat(l[1],"}")),l[5]=p),e&&(l[2]&&(l[1]="@media ".concat(l[2]," {").concat(l[1],"}")),l[2]=e),t&&(l[4]?(l[1]="@supports (".concat(l[4],") {").concat(l[1],"}"),l[4]=t):l[4]="".concat(t)),r.push(l))}},r}},601(o){o.exports=function(o){return o[1]}},665(o,r,e){e.r(r);var a=e(72),t=e.n(a),p=e(825),n=e.n(p),s=e(659),c=e.n(s),i=e(56),l=e.n(i),d=e(540),f=e.n(d),u=e(113),b=e.n(u),v=e(646),g={};g.styleTagTransform=b(),g.setAttributes=l(),g.insert=c().bind(null,"head"),g.domAPI=n(),g.insertStyleElement=f(),t()(v.A,g);let x=v.A&&v.A.locals?v.A.locals:void 0;e.d(r,{},{default:x})},72(o){var r=[];function e(o){for(var e=-1,a=0;a<r.length;a++)if(r[a].identifier===o){e=a;break}return e}function a(o,a){for(var t={},p=[],n=0;n<o.length;n++){var s=o[n],c=a.base?s[0]+a.base:s[0],i=t[c]||0,l="".concat(c," ").concat(i);t[c]=i+1;var d=e(l),f={css:s[1],media:s[2],sourceMap:s[3],supports:s[4],layer:s[5]};if(-1!==d)r[d].references++,r[d].updater(f);else{var u=function(o,r){var e=r.domAPI(r);return e.update(o),function(r){r?(r.css!==o.css||r.media!==o.media||r.sourceMap!==o.sourceMap||r.supports!==o.supports||r.layer!==o.layer)&&e.update(o=r):e.remove()}}(f,a);a.byIndex=n,r.splice(n,0,{identifier:l,updater:u,references:1})}p.push(l)}return p}o.exports=function(o,t){var p=a(o=o||[],t=t||{});return function(o){o=o||[];for(var n=0;n<p.length;n++){var s=e(p[n]);r[s].references--}for(var c=a(o,t),i=0;i<p.length;i++){var l=e(p[i]);0===r[l].references&&(r[l].updater(),r.splice(l,1))}p=c}}},659(o){var r={};o.exports=function(o,e){var a=function(o){if(void 0===r[o]){var e=document.querySelector(o);if(window.HTMLIFrameElement&&e instanceof window.HTMLIFrameElement)try{e=e.contentDocument.head}catch(o){e=null}r[o]=e}return r[o]}(o);if(!a)throw Error("Couldn't find a style target. This probably means that the value for the 'insert' parameter is invalid.");a.appendChild(e)}},540(o){o.exports=function(o){var r=document.createElement("style");return o.setAttributes(r,o.attributes),o.insert(r,o.options),r}},56(o,r,e){o.exports=function(o){var r=e.nc;r&&o.setAttribute("nonce",r)}},825(o){o.exports=function(o){if("u"<typeof document)return{update:function(){},remove:function(){}};var r=o.insertStyleElement(o);return{update:function(e){var a,t,p;a="",e.supports&&(a+="@supports (".concat(e.supports,") {")),e.media&&(a+="@media ".concat(e.media," {")),(t=void 0!==e.layer)&&(a+="@layer".concat(e.layer.length>0?" ".concat(e.layer):""," {")),a+=e.css,t&&(a+="}"),e.media&&(a+="}"),e.supports&&(a+="}"),(p=e.sourceMap)&&"u">typeof btoa&&(a+="\n/*# sourceMappingURL=data:application/json;base64,".concat(btoa(unescape(encodeURIComponent(JSON.stringify(p))))," */")),o.styleTagTransform(a,r,o.options)},remove:function(){var o;null===(o=r).parentNode||o.parentNode.removeChild(o)}}}},113(o){o.exports=function(o,r){if(r.styleSheet)r.styleSheet.cssText=o;else{for(;r.firstChild;)r.removeChild(r.firstChild);r.appendChild(document.createTextNode(o))}}}}]);