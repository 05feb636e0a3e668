// CDK app entry (cdk.json: "node bin/app.ts", run by Node 24's type stripping).
import { DeploymentConfigError } from '#lib/config.ts';
import { createLivePersonApp } from '#lib/app.ts';

try {
  // The App synthesizes itself when the process exits (the CLI sets CDK_OUTDIR).
  createLivePersonApp();
} catch (error) {
  if (error instanceof DeploymentConfigError) {
    // A config mistake is the user's to fix: the message names the field, a stack trace would only bury it.
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
