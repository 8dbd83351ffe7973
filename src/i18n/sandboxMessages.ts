import { translator, type Catalog } from './translate.js';

// What the sandboxes say when one cannot be made or has died, and what to do about it, in both
// languages. The sandbox layer does not know the learner's language: it names a key
// (SandboxError), and the front end says it. Paths, commands and a tool's own error stay as they are.
const en = {
  // ---- uml: the kernel ----
  uml_not_installed: 'User-Mode Linux is not installed: `{name}` was not found on PATH.',
  uml_kernel_missing: 'The User-Mode Linux kernel `{path}` does not exist.',
  uml_kernel_not_exec: 'The User-Mode Linux kernel `{path}` is not executable.',
  uml_kernel_not_file: 'The User-Mode Linux kernel `{path}` is not a file.',
  uml_run_failed: 'Could not run the User-Mode Linux kernel {path}: {detail}',
  uml_exit_booting_code: 'The User-Mode Linux kernel ({path}) exited with code {code} before the sandbox was ready.',
  uml_exit_booting_signal: 'The User-Mode Linux kernel ({path}) was killed by {signal} before the sandbox was ready.',
  uml_died_code: 'The UML sandbox died: its kernel exited with code {code}.',
  uml_died_signal: 'The UML sandbox died: its kernel was killed by {signal}.',
  uml_closed: 'The UML sandbox was closed.',
  uml_not_ready: 'The UML sandbox did not become ready within {seconds} s.',
  // ---- uml: the guest agent and the boot directory ----
  agent_missing: 'The UML guest agent {path} is missing: it is compiled when the tutor is built.',
  agent_unreadable: 'The UML guest could not start its agent ({path}) as {user}.',
  tmp_spaces: 'The temporary directory {path} contains spaces.',
  boot_dir_failed: 'Could not prepare the UML boot directory: {detail}',
  // ---- host ----
  host_create_failed: 'Could not create the host sandbox: {detail}',
  host_timeout: 'the sandbox did not become ready within {seconds} s',
  host_setup_exit: 'setup exited with code {code}',
  host_lost: 'Could not find the sandbox process after setup.',
  host_ended: 'The sandbox has ended; restart the tutor.',
  // ---- fixes ----
  fix_uml_install_apt: 'Install User-Mode Linux: `sudo apt-get install user-mode-linux` (Debian/Ubuntu), then run `ipip-tutor doctor`.',
  fix_uml_install:
    'Install User-Mode Linux: `{install}`, or make the host kernel able to build tunnels: `sudo modprobe ipip` (the module must exist for your kernel).',
  fix_uml_dnf:
    'Your distribution (dnf) does not package User-Mode Linux: make the host kernel able to build tunnels: `sudo modprobe ipip` (the module must exist for your kernel); if ipip is missing, `sudo dnf install kernel-modules-extra` and reboot into that kernel.',
  fix_uml_unknown:
    'Install User-Mode Linux (Debian/Ubuntu: `sudo apt-get install user-mode-linux`), or make the host kernel able to build tunnels: `sudo modprobe ipip` (the module must exist for your kernel).',
  fix_bwrap: 'Install bubblewrap: `{install}` (the sandboxes run inside it).',
  fix_apparmor: 'Allow unprivileged user namespaces: `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` (Ubuntu 23.10+).',
  fix_userns:
    'Allow unprivileged user namespaces (`sysctl user.max_user_namespaces` must be above 0; on Ubuntu 23.10+ also `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`), and install bubblewrap.',
  fix_host_userns:
    'Unprivileged user namespaces may be disabled (e.g. `kernel.apparmor_restrict_unprivileged_userns=1` on Ubuntu). Run `ipip-tutor doctor`, or use `--backend uml`.',
  fix_check_kernel:
    'Check that {path} is the User-Mode Linux kernel. Install User-Mode Linux: `sudo apt-get install user-mode-linux` (Debian/Ubuntu), then run `ipip-tutor doctor`.',
  fix_restart: 'Restart the tutor to get a fresh sandbox. If it keeps happening, run `ipip-tutor doctor`.',
  fix_overloaded: 'The machine may be overloaded; try again. If it keeps happening, run `ipip-tutor doctor`.',
  fix_agent_missing:
    'Install a C compiler and the C library headers (Debian/Ubuntu: `apt-get install gcc libc6-dev`), then run `npm run build`.',
  fix_agent_unreadable:
    'Install the tutor where every user can read it (e.g. a global npm install), or run it as your own user rather than root.',
  fix_tmp_spaces: 'Set TMPDIR to a path without spaces.',
};

export type SandboxMessageKey = keyof typeof en;

const zh: Record<SandboxMessageKey, string> = {
  uml_not_installed: '没有安装 User-Mode Linux：在 PATH 中找不到 `{name}`。',
  uml_kernel_missing: 'User-Mode Linux 内核 `{path}` 不存在。',
  uml_kernel_not_exec: 'User-Mode Linux 内核 `{path}` 没有执行权限。',
  uml_kernel_not_file: 'User-Mode Linux 内核 `{path}` 不是一个文件。',
  uml_run_failed: '无法运行 User-Mode Linux 内核 {path}：{detail}',
  uml_exit_booting_code: 'User-Mode Linux 内核（{path}）在沙箱就绪之前退出了，退出码 {code}。',
  uml_exit_booting_signal: 'User-Mode Linux 内核（{path}）在沙箱就绪之前被 {signal} 杀掉了。',
  uml_died_code: 'UML 沙箱已终止：它的内核退出了，退出码 {code}。',
  uml_died_signal: 'UML 沙箱已终止：它的内核被 {signal} 杀掉了。',
  uml_closed: 'UML 沙箱已关闭。',
  uml_not_ready: 'UML 沙箱在 {seconds} s 内没有就绪。',
  agent_missing: '缺少 UML guest agent {path}：它在构建教程时编译。',
  agent_unreadable: 'UML guest 无法以 {user} 的身份启动它的 agent（{path}）。',
  tmp_spaces: '临时目录 {path} 的路径中含有空格。',
  boot_dir_failed: '无法准备 UML 的启动目录：{detail}',
  host_create_failed: '无法创建 host 沙箱：{detail}',
  host_timeout: '沙箱在 {seconds} s 内没有就绪',
  host_setup_exit: '初始化进程退出了，退出码 {code}',
  host_lost: '初始化之后找不到沙箱进程。',
  host_ended: '沙箱已经结束，请重新启动教程。',
  fix_uml_install_apt: '安装 User-Mode Linux：`sudo apt-get install user-mode-linux`（Debian/Ubuntu），然后运行 `ipip-tutor doctor`。',
  fix_uml_install: '安装 User-Mode Linux：`{install}`；或者让宿主机内核能够创建隧道：`sudo modprobe ipip`（你的内核必须带有这个模块）。',
  fix_uml_dnf:
    '你的发行版（dnf）没有提供 User-Mode Linux 软件包：请让宿主机内核能够创建隧道：`sudo modprobe ipip`（你的内核必须带有这个模块）；如果没有 ipip 模块，运行 `sudo dnf install kernel-modules-extra`，然后重启进入那个内核。',
  fix_uml_unknown:
    '安装 User-Mode Linux（Debian/Ubuntu：`sudo apt-get install user-mode-linux`）；或者让宿主机内核能够创建隧道：`sudo modprobe ipip`（你的内核必须带有这个模块）。',
  fix_bwrap: '安装 bubblewrap：`{install}`（沙箱在它里面运行）。',
  fix_apparmor: '允许非特权用户命名空间：`sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`（Ubuntu 23.10 及以上）。',
  fix_userns:
    '允许非特权用户命名空间（`sysctl user.max_user_namespaces` 必须大于 0；Ubuntu 23.10 及以上还要 `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`），并安装 bubblewrap。',
  fix_host_userns:
    '非特权用户命名空间可能被禁用了（例如 Ubuntu 上的 `kernel.apparmor_restrict_unprivileged_userns=1`）。请运行 `ipip-tutor doctor`，或者使用 `--backend uml`。',
  fix_check_kernel:
    '请确认 {path} 是 User-Mode Linux 内核。安装 User-Mode Linux：`sudo apt-get install user-mode-linux`（Debian/Ubuntu），然后运行 `ipip-tutor doctor`。',
  fix_restart: '重新启动教程，换一个新的沙箱。如果反复出现，请运行 `ipip-tutor doctor`。',
  fix_overloaded: '机器可能负载过高，请再试一次。如果反复出现，请运行 `ipip-tutor doctor`。',
  fix_agent_missing: '安装 C 编译器和 C 库头文件（Debian/Ubuntu：`apt-get install gcc libc6-dev`），然后运行 `npm run build`。',
  fix_agent_unreadable: '把教程安装到所有用户都能读取的位置（例如用 npm 全局安装），或者用你自己的用户而不是 root 来运行它。',
  fix_tmp_spaces: '把 TMPDIR 设为一个不含空格的路径。',
};

export const sandboxCatalog: Catalog<SandboxMessageKey> = { en, zh };
export const tsb = translator(sandboxCatalog);
