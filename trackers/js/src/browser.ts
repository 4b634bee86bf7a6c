/** Entry of the minified IIFE `sp.js`: take over the snippet queue(s) on load. */
import { installGlobal } from './api';

installGlobal(window as unknown as Window & Record<string, unknown>);
