/* Runs `rramprof flash` against the simulated STM32 bootloader behind an
 * emulated USB serial adapter, so the AN3155 client opens and configures a
 * real-looking /dev/ttyUSB0 through libserialport (a plain pty takes the
 * termios path instead).
 *
 *   umockdev_flash SIM MODEM_SHIM MEMFILE RRAMPROF [rramprof args...]
 *
 * umockdev builds a sysfs/dev testbed with /dev/ttyUSB0 (USB 0483:5740)
 * whose pty master is handed to SIM (--fd); rramprof runs with
 * libumockdev-preload and the modem-control shim preloaded. Its stdout and
 * stderr pass through; the exit status is rramprof's (125 when the
 * testbed could not be made). SIM writes its flash to MEMFILE on exit. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <umockdev.h>
#include <unistd.h>

static const char kTestbed[] = "P: /devices/pci0000:00/0000:00:14.0/usb1/1-3\n"
                               "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
                               "E: BUSNUM=001\nE: DEVNUM=004\n"
                               "E: ID_VENDOR_ID=0483\nE: ID_MODEL_ID=5740\nE: ID_SERIAL_SHORT=RPBOOT01\n"
                               "A: idVendor=0483\\n\nA: idProduct=5740\\n\nA: busnum=1\\n\nA: devnum=4\\n\n"
                               "A: speed=12\\n\nA: manufacturer=rramprof\\n\nA: product=STM32 bootloader sim\\n\n"
                               "A: serial=RPBOOT01\\n\n\n"
                               "P: /devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0\n"
                               "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\nE: DRIVER=cp210x\n"
                               "A: bInterfaceClass=ff\\n\nA: bInterfaceNumber=00\\n\n\n"
                               "P: /devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/ttyUSB0/tty/ttyUSB0\n"
                               "N: ttyUSB0\n"
                               "E: SUBSYSTEM=tty\nE: DEVNAME=/dev/ttyUSB0\nE: MAJOR=188\nE: MINOR=0\n"
                               "A: dev=188:0\\n\n";

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: umockdev_flash SIM MODEM_SHIM MEMFILE RRAMPROF [args...]\n");
        return 125;
    }
    UMockdevTestbed *tb = umockdev_testbed_new();
    GError *err = NULL;
    if (!umockdev_testbed_add_from_string(tb, kTestbed, &err)) {
        fprintf(stderr, "umockdev_flash: testbed: %s\n", err->message);
        return 125;
    }
    int master = umockdev_testbed_get_dev_fd(tb, "/dev/ttyUSB0");
    gchar *root = umockdev_testbed_get_root_dir(tb);
    char link[4096], slave_path[256];
    snprintf(link, sizeof link, "%s/dev/ttyUSB0", root);
    ssize_t n = readlink(link, slave_path, sizeof slave_path - 1);
    if (master < 0 || n <= 0) {
        fprintf(stderr, "umockdev_flash: no pty behind /dev/ttyUSB0\n");
        return 125;
    }
    slave_path[n] = '\0';
    /* Raw from the start, and held open so the master never reads EIO
     * before rramprof opens the port. */
    int slave = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    struct termios tio;
    if (slave < 0 || tcgetattr(slave, &tio) != 0) {
        fprintf(stderr, "umockdev_flash: cannot open %s\n", slave_path);
        return 125;
    }
    cfmakeraw(&tio);
    tcsetattr(slave, TCSANOW, &tio);

    pid_t sim = fork();
    if (sim == 0) {
        char fd[16];
        snprintf(fd, sizeof fd, "%d", master);
        execl(argv[1], argv[1], "--image", argv[3], "--fd", fd, (char *)NULL);
        _exit(127);
    }
    /* Only the simulator holds the master from here on. */
    close(master);

    pid_t rp = fork();
    if (rp == 0) {
        char preload[4200], dir[4200];
        snprintf(preload, sizeof preload, "LD_PRELOAD=%s libumockdev-preload.so.0", argv[2]);
        snprintf(dir, sizeof dir, "UMOCKDEV_DIR=%s", root);
        putenv(preload);
        putenv(dir);
        /* Under ASan the preloads come before the sanitizer runtime. */
        putenv("ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0");
        execv(argv[4], argv + 4);
        _exit(127);
    }
    int status = 0;
    waitpid(rp, &status, 0);
    kill(sim, SIGTERM);
    int sim_status = 0;
    waitpid(sim, &sim_status, 0);
    close(slave);
    g_free(root);
    g_object_unref(tb);
    if (!WIFEXITED(sim_status) || WEXITSTATUS(sim_status) != 0)
        fprintf(stderr, "umockdev_flash: the simulator failed (status 0x%x)\n", sim_status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 126;
}
