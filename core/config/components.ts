import type { ComponentRegistration } from '../components/plugin';
import type { OptionSpec } from './options';
import { configOptions } from './config-options';

/** This area's core components and the options they declare (for core/core-plugin.ts). */
export const components: ComponentRegistration[] = [];
export const options: OptionSpec[] = [...configOptions];
