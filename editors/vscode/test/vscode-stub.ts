// A small stand-in for the `vscode` module, enough for the extension's own logic to run
// under node:test (VS Code itself cannot be downloaded here). Importing this file
// installs it: later `require('vscode')` calls get `vscode` below.
import Module from 'node:module';
import pkg from '../package.json';

type Settings = Record<string, unknown>;

/** The user's settings by scope, names without `threatmark.`; tests set them. */
export const settings: { global: Settings; workspace: Settings } = { global: {}, workspace: {} };

/** Lines the extension logged to its output channel. */
export const logged: string[] = [];

const properties = pkg.contributes.configuration.properties as Record<string, { default?: unknown }>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Like VS Code: the most specific scope wins; object values merge across scopes. */
class Configuration {
  constructor(private readonly section: string) {}

  private key(name: string): string {
    return `${this.section}.${name}`;
  }

  inspect(name: string) {
    if (this.section !== 'threatmark' || !(this.key(name) in properties)) {
      return undefined;
    }
    return {
      key: this.key(name),
      defaultValue: properties[this.key(name)].default,
      globalValue: settings.global[name],
      workspaceValue: settings.workspace[name],
      workspaceFolderValue: undefined,
    };
  }

  get(name: string, fallback?: unknown): unknown {
    const i = this.inspect(name);
    if (!i) {
      return fallback;
    }
    const layers = [i.defaultValue, i.globalValue, i.workspaceValue].filter((v) => v !== undefined);
    if (layers.length > 0 && layers.every(isPlainObject)) {
      return Object.assign({}, ...layers);
    }
    return layers.length > 0 ? layers[layers.length - 1] : fallback;
  }

  has(name: string): boolean {
    return this.inspect(name) !== undefined;
  }
}

class Uri {
  private constructor(private readonly text: string) {}
  static parse(text: string): Uri {
    return new Uri(text);
  }
  toString(): string {
    return this.text;
  }
}

export const vscode = {
  Uri,
  workspace: {
    getConfiguration: (section: string) => new Configuration(section),
  },
  window: {
    createOutputChannel: () => ({
      info: (m: string) => logged.push(`info: ${m}`),
      error: (m: string) => logged.push(`error: ${m}`),
    }),
  },
};

// Node resolves `require('vscode')` through Module._load; answering there is the
// smallest hook that covers both the tests' and the extension's imports.
const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = moduleWithLoad._load;
moduleWithLoad._load = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? vscode : load.call(this, request, ...rest);
};
