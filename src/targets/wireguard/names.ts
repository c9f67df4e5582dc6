// Names the WireGuard tools accept. wg-quick takes the interface name from
// the file name (wg-quick/linux.bash: `[a-zA-Z0-9_=+.-]{1,15}`, IFNAMSIZ),
// and so do the apps that import a file (the Android app's Tunnel name
// pattern is the same).
export const INTERFACE_NAME = /^[a-zA-Z0-9_=+.-]{1,15}$/;
