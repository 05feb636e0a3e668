// Builds the CDK app from the validated deployment config; bin/app.ts runs it, tests call it with their own context.
import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadDeploymentConfig, stackEnvironment } from './config.ts';
import type { DeploymentConfig } from './config.ts';
import { LivePersonStack } from './liveperson-stack.ts';

export interface LivePersonApp {
  readonly app: App;
  readonly config: DeploymentConfig;
  readonly stack: LivePersonStack;
}

/**
 * Creates the app and its stack. Throws DeploymentConfigError before any stack is built when the
 * `liveperson` context is invalid. cdk-nag's AwsSolutions pack runs as a validation plugin at synth:
 * any unacknowledged finding fails `cdk synth`.
 */
export function createLivePersonApp(props: AppProps = {}, env: NodeJS.ProcessEnv = process.env): LivePersonApp {
  const app = new App(props);
  const config = loadDeploymentConfig(app.node);
  const stack = new LivePersonStack(app, config.stackName, { config, env: stackEnvironment(config, env) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, config, stack };
}
