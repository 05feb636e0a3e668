// Types of eslint.boundaries.js, for the test that lints against it.
import type { Linter } from 'eslint';

export declare const boundaries: Linter.Config[];
