import path from 'node:path';
import { SANDBOX_PATH, SHIM_DIR } from '../defaults.js';

// Pure pieces of a UML boot: the kernel command line, the guest's init script, and the console
// ring buffer. Kept free of side effects so they can be read and tested on their own.

export const DEFAULT_UML_KERNEL = 'linux.uml';
/**
 * Guest memory. The course needs little (about 16 MiB in use with the lab built, tcpdump
 * running); a class runs one guest per learner. Measured here: 96 MiB gives 78 MiB MemTotal and a
 * linux.uml peak RSS of 40-50 MiB over the course; at 64 MiB the kernel keeps so much for itself
 * that 33 MiB remain and commands slow down re-reading binaries through hostfs.
 */
export const DEFAULT_UML_MEM_MIB = 96;
/** Where the Debian/Ubuntu package keeps the kernel's modules (one directory per kernel release). */
export const UML_MODULES_ROOT = '/usr/lib/uml/modules';
/** Kernel boot plus agent start; generous because CI machines are small and busy. */
export const UML_BOOT_TIMEOUT_MS = 30_000;
/** Lines the init script prints to the console to report its progress. */
export const PHASE_MARKER = 'IPIP-TUTOR-PHASE:';
/**
 * Modules loaded at boot (paths in the module tree; insmod, so no dependencies): what the sandbox
 * itself and the course's early steps need. Never ipip: loading it is the learner's first step.
 */
export const BOOT_MODULES = ['kernel/drivers/net/veth.ko'];

export interface BootPlan {
  /** Host directory (visible to the guest read-only through hostfs) holding init, fstabs and shims. */
  bootDir: string;
  /** The guest agent binary (guestAgent.ts), run by the guest through hostfs. */
  agentPath: string;
  memMiB: number;
  /** UML instance id (names the mconsole directory under uml_dir). */
  umid: string;
}

export function kernelArgs(plan: BootPlan): string[] {
  return [
    `mem=${plan.memMiB}M`,
    'root=/dev/root',
    'rootflags=/',
    'rootfstype=hostfs',
    'ro',
    // The agent is the guest's init; parameters the kernel does not know become its environment.
    `init=${plan.agentPath}`,
    `ipip_tutor_plan=${plan.bootDir}/boot.plan`,
    `ipip_tutor_path=${SANDBOX_PATH}`,
    `ipip_tutor_modules=${UML_MODULES_ROOT}`,
    // Console 0 writes to our stdout (the ring buffer); no input. Other consoles and serial lines off.
    'con=null',
    'con0=null,fd:1',
    'ssl=null',
    // The agent's channel: guest /dev/ttyS0 reads fd 3 and writes fd 4.
    'ssl0=fd:3,fd:4',
    `uml_dir=${plan.bootDir}/uml`,
    `umid=${plan.umid}`,
    'loglevel=4',
    // The RAID6 algorithm benchmark costs ~0.85 s of every boot and nothing here uses RAID6.
    'initcall_blacklist=raid6_select_algo',
    // The course is IPv4 only. ipv6 is a module here, loaded on demand; modprobe applies this
    // to it, so no link-local addresses, neighbour or router chatter show up in tcpdump or in
    // the packet counters of `tutor flow`.
    'ipv6.disable=1',
  ];
}

/** Files written into the boot directory (besides shims/, the shim directory the guest mounts). */
export interface GuestFiles {
  'boot.plan': string;
}

/**
 * The guest's boot: the agent is PID 1 and carries out this plan with system calls (guest/agent.c
 * documents its lines), because every process start costs tens of milliseconds inside UML. Only
 * what the course needs: proc, sys, tmpfs on /run, /tmp and /dev/shm, the shims, veth.
 *
 * /lib/modules/$(uname -r) must exist for modprobe and lsmod to behave as on a normal machine,
 * but /lib is /usr/lib on the read-only host. So /usr/lib gets an overlay with a tmpfs upper (the
 * agent then links /usr/lib/modules to the package's module tree), and the shared-library
 * directories are put back on top directly from hostfs so that every exec skips the overlay layer.
 */
export function guestFiles(
  plan: BootPlan,
  /** Host library directories (/usr/lib/<triplet>) kept mounted directly, not through the overlay. */
  libDirs: readonly string[],
): GuestFiles {
  const stash = (d: string) => `/run/ipip-tutor/lib/${path.basename(d)}`;
  const modules = `${UML_MODULES_ROOT}/%R`;
  const lines = [
    'mount proc /proc proc - -',
    'mount sysfs /sys sysfs - -',
    // tmpfs sizes fit together inside mem= with the course running: a full one says ENOSPC, it never OOMs the guest
    'mount tmpfs /run tmpfs - mode=0755,size=8m',
    // The boot directory lives on the host's /tmp, which the guest's own /tmp hides: keep a view of it.
    `mount ${plan.bootDir} /run/ipip-tutor/boot none bind,mkdir -`,
    // The shims, written by the host with their modes: nothing to start in the guest to install them.
    `mount ${plan.bootDir}/shims ${SHIM_DIR} none bind,mkdir -`,
    'mount tmpfs /tmp tmpfs - mode=1777,size=32m',
    'mount tmpfs /dev/shm tmpfs mkdir mode=1777,size=8m',
    ...libDirs.map((d) => `mount ${d} ${stash(d)} none bind,mkdir -`),
    'mkdir /run/lock',
    'mkdir /run/ipip-tutor/ov/u',
    'mkdir /run/ipip-tutor/ov/w',
    'hostname ipip-tutor',
    'phase loading modules',
    `insmod ${modules}/kernel/fs/overlayfs/overlay.ko`,
    'mount overlay /usr/lib overlay - lowerdir=/usr/lib,upperdir=/run/ipip-tutor/ov/u,workdir=/run/ipip-tutor/ov/w',
    ...libDirs.map((d) => `mount ${stash(d)} ${d} none bind -`),
    ...BOOT_MODULES.map((m) => `insmod ${modules}/${m}`),
    // The root namespace plays the article's host: its loopback is up as on any running machine.
    'loopback',
    'phase starting agent',
  ];
  if (lines.some((l) => l.split(' ').some((f) => f === ''))) throw new Error('boot plan: a path is empty or has spaces');
  return { 'boot.plan': lines.join('\n') + '\n' };
}

/** Keeps the last `size` lines of a stream (the kernel console) for error reports. */
export class LineRing {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly size = 30) {}

  push(chunk: string): string[] {
    const text = this.partial + chunk;
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      // Stack frames of a kernel oops crowd out the lines that explain it.
      if (/^\s*(<\d>)?\s*\[<[0-9a-f]+>\]/.test(line)) continue;
      this.lines.push(line);
      if (this.lines.length > this.size) this.lines.shift();
    }
    return parts;
  }

  text(): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-this.size).join('\n');
  }
}
