import type { ComponentRegistration } from '../components/plugin';
import { REQUEST_HANDLER } from '../components/tokens';
import type { OptionSpec } from '../config/options';
import { ChromeHandler } from '../chrome/chrome-handler';
import { chromeOptions } from '../chrome/chrome-options';
import { fileOptions } from './options';

/** This area's core components and the options they declare (wired by core/core-plugin.ts). */
export const components: ComponentRegistration[] = [
  { name: 'ChromeHandler', class: ChromeHandler, provides: [REQUEST_HANDLER] },
];
export const options: OptionSpec[] = [...fileOptions, ...chromeOptions];
