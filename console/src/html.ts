// htm bound to Preact: tagged templates instead of JSX, so the console needs no build step of its own beyond tsc.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
