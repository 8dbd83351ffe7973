import { constants as fsc, promises as fsp, statSync } from 'node:fs';
import path from 'node:path';
import { UML_INSTALL_FIX } from '../packages.js';
import { findExecutable } from '../probe.js';
import { SandboxError } from '../types.js';
import { DEFAULT_UML_KERNEL } from './bootPlan.js';

// Finding what a UML boot needs on the host: the kernel binary, and the host's shared-library
// directories (which the guest mounts straight from hostfs, off the /usr/lib overlay).

/** /usr/lib/<triplet> directories holding the host's shared libraries (kept off the overlay). */
export async function hostLibDirs(): Promise<string[]> {
  try {
    const names = await fsp.readdir('/usr/lib');
    const dirs: string[] = [];
    for (const n of names) {
      if (!/^[a-z0-9_]+-linux-gnu[a-z0-9_]*$/.test(n)) continue;
      const st = await fsp.lstat(path.join('/usr/lib', n));
      if (st.isDirectory()) dirs.push(path.join('/usr/lib', n));
    }
    return dirs;
  } catch {
    return [];
  }
}

/** The kernel binary's absolute path, or a SandboxError saying what is wrong with it. */
export async function resolveKernel(requested: string | undefined): Promise<string> {
  const name = requested ?? process.env.IPIP_TUTOR_UML_KERNEL ?? DEFAULT_UML_KERNEL;
  const found = await findExecutable(name);
  if (!found) {
    throw new SandboxError({ key: 'uml_not_installed', params: { name } }, UML_INSTALL_FIX);
  }
  let st;
  try {
    st = statSync(found);
  } catch {
    throw new SandboxError({ key: 'uml_kernel_missing', params: { path: found } }, UML_INSTALL_FIX);
  }
  try {
    await fsp.access(found, fsc.X_OK);
  } catch {
    throw new SandboxError({ key: 'uml_kernel_not_exec', params: { path: found } }, UML_INSTALL_FIX);
  }
  if (!st.isFile()) throw new SandboxError({ key: 'uml_kernel_not_file', params: { path: found } }, UML_INSTALL_FIX);
  return path.resolve(found);
}
