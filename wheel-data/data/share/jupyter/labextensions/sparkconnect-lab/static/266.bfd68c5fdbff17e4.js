"use strict";(self.rspackChunksparkconnect_lab=self.rspackChunksparkconnect_lab||[]).push([[266],{670(o,e,r){var a=r(601),t=r.n(a),p=r(314),n=(r.n(p))()(t());n.push([o.id,`/* The sparkconnect panel. Colours come from JupyterLab's theme variables only, so light and dark
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
  background: var(--jp-error-color3, rgba(211, 47, 47, 0.08));
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
`,""]),r.d(e,{},{A:n})},646(o,e,r){var a=r(601),t=r.n(a),p=r(314),n=r.n(p),s=r(670),c=r(247),i=n()(t());i.i(s.A),i.i(c.A),i.push([o.id,"/* The shared view's own rules (the `%spark panel` output uses them too), then the Lab's. */\n",""]),r.d(e,{},{A:i})},247(o,e,r){var a=r(601),t=r.n(a),p=r(314),n=(r.n(p))()(t());n.push([o.id,`/* The sidebar, the log tab and the status bar item. Theme variables only. */

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
`,""]),r.d(e,{},{A:n})},314(o){o.exports=function(o){var e=[];return e.toString=function(){return this.map(function(e){var r="",a=void 0!==e[5];return e[4]&&(r+="@supports (".concat(e[4],") {")),e[2]&&(r+="@media ".concat(e[2]," {")),a&&(r+="@layer".concat(e[5].length>0?" ".concat(e[5]):""," {")),r+=o(e),a&&(r+="}"),e[2]&&(r+="}"),e[4]&&(r+="}"),r}).join("")},e.i=function(o,r,a,t,p){"string"==typeof o&&(o=[[null,o,void 0]]);var n={};if(a)for(var s=0;s<this.length;s++){var c=this[s][0];null!=c&&(n[c]=!0)}for(var i=0;i<o.length;i++){var l=[].concat(o[i]);a&&n[l[0]]||(void 0!==p&&(void 0===l[5]||(l[1]="@layer".concat(l[5].length>0?" ".concat(l[5]):""," {").concat(l[1],"}")),l[5]=p),r&&(l[2]&&(l[1]="@media ".concat(l[2]," {").concat(l[1],"}")),l[2]=r),t&&(l[4]?(l[1]="@supports (".concat(l[4],") {").concat(l[1],"}"),l[4]=t):l[4]="".concat(t)),e.push(l))}},e}},601(o){o.exports=function(o){return o[1]}},665(o,e,r){r.r(e);var a=r(72),t=r.n(a),p=r(825),n=r.n(p),s=r(659),c=r.n(s),i=r(56),l=r.n(i),d=r(540),f=r.n(d),u=r(113),b=r.n(u),v=r(646),g={};g.styleTagTransform=b(),g.setAttributes=l(),g.insert=c().bind(null,"head"),g.domAPI=n(),g.insertStyleElement=f(),t()(v.A,g);let x=v.A&&v.A.locals?v.A.locals:void 0;r.d(e,{},{default:x})},72(o){var e=[];function r(o){for(var r=-1,a=0;a<e.length;a++)if(e[a].identifier===o){r=a;break}return r}function a(o,a){for(var t={},p=[],n=0;n<o.length;n++){var s=o[n],c=a.base?s[0]+a.base:s[0],i=t[c]||0,l="".concat(c," ").concat(i);t[c]=i+1;var d=r(l),f={css:s[1],media:s[2],sourceMap:s[3],supports:s[4],layer:s[5]};if(-1!==d)e[d].references++,e[d].updater(f);else{var u=function(o,e){var r=e.domAPI(e);return r.update(o),function(e){e?(e.css!==o.css||e.media!==o.media||e.sourceMap!==o.sourceMap||e.supports!==o.supports||e.layer!==o.layer)&&r.update(o=e):r.remove()}}(f,a);a.byIndex=n,e.splice(n,0,{identifier:l,updater:u,references:1})}p.push(l)}return p}o.exports=function(o,t){var p=a(o=o||[],t=t||{});return function(o){o=o||[];for(var n=0;n<p.length;n++){var s=r(p[n]);e[s].references--}for(var c=a(o,t),i=0;i<p.length;i++){var l=r(p[i]);0===e[l].references&&(e[l].updater(),e.splice(l,1))}p=c}}},659(o){var e={};o.exports=function(o,r){var a=function(o){if(void 0===e[o]){var r=document.querySelector(o);if(window.HTMLIFrameElement&&r instanceof window.HTMLIFrameElement)try{r=r.contentDocument.head}catch(o){r=null}e[o]=r}return e[o]}(o);if(!a)throw Error("Couldn't find a style target. This probably means that the value for the 'insert' parameter is invalid.");a.appendChild(r)}},540(o){o.exports=function(o){var e=document.createElement("style");return o.setAttributes(e,o.attributes),o.insert(e,o.options),e}},56(o,e,r){o.exports=function(o){var e=r.nc;e&&o.setAttribute("nonce",e)}},825(o){o.exports=function(o){if("u"<typeof document)return{update:function(){},remove:function(){}};var e=o.insertStyleElement(o);return{update:function(r){var a,t,p;a="",r.supports&&(a+="@supports (".concat(r.supports,") {")),r.media&&(a+="@media ".concat(r.media," {")),(t=void 0!==r.layer)&&(a+="@layer".concat(r.layer.length>0?" ".concat(r.layer):""," {")),a+=r.css,t&&(a+="}"),r.media&&(a+="}"),r.supports&&(a+="}"),(p=r.sourceMap)&&"u">typeof btoa&&(a+="\n/*# sourceMappingURL=data:application/json;base64,".concat(btoa(unescape(encodeURIComponent(JSON.stringify(p))))," */")),o.styleTagTransform(a,e,o.options)},remove:function(){var o;null===(o=e).parentNode||o.parentNode.removeChild(o)}}}},113(o){o.exports=function(o,e){if(e.styleSheet)e.styleSheet.cssText=o;else{for(;e.firstChild;)e.removeChild(e.firstChild);e.appendChild(document.createTextNode(o))}}}}]);