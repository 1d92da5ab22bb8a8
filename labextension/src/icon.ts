import { LabIcon } from '@jupyterlab/ui-components';

// A four-pointed spark with a smaller one beside it; jp-icon3 takes the theme's icon colour.
const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M10 2.5l1.9 6.1 6.1 1.9-6.1 1.9L10 18.5l-1.9-6.1L2 10.5l6.1-1.9z"/>
    <path d="M18.5 14l.9 2.6 2.6.9-2.6.9-.9 2.6-.9-2.6-2.6-.9 2.6-.9z"/>
  </g>
</svg>`;

export const sparkIcon = new LabIcon({ name: 'sparkconnect:spark', svgstr });
