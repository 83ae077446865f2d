/* A stand-in for libnvidia-ml.so.1 exporting the NVML symbols wattlab uses, so the koffi path runs for real
 * on machines without a GPU. Behaviour comes from a key=value file named by $FAKE_NVML_CONFIG, read at
 * nvmlInit_v2 (so each Meter.open can change it):
 *   init_rc=N            nvmlInit_v2 returns N (0 = success)
 *   count=N              number of GPUs (default 1)
 *   power_w=A,B,...      constant power per GPU in W (default 100); the energy counter grows at this rate
 *   counter_rc=N         nvmlDeviceGetTotalEnergyConsumption returns N (3 = NOT_SUPPORTED) ...
 *   counter_rc_after_ms=T  ... but only T ms after init (0 = from the start)
 *   reset_after_ms=T     the energy counter restarts from 0 at T ms after init (a driver reload)
 *   power_rc=N           nvmlDeviceGetPowerUsage returns N
 *   mem_used_mb=M        memory in use per GPU (default 1000); total is 81920
 *   tick_ms=T            the counter advances in steps of T ms, like the real one (default 0: continuous)
 *   call_delay_us=U      every device call sleeps U µs (a real call takes milliseconds)
 *   power_trace=W:MS,... GPU 0's power follows these segments (W for MS ms each), repeating from init; the
 *                        counter is their exact integral (then stepped by tick_ms), power readings the segment's W
 *   temp_c=C             temperature per GPU (default 45 °C)
 * Units follow NVML: energy mJ, power mW, memory bytes. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_GPUS 16
typedef struct { int index; } fake_device;
typedef fake_device *nvmlDevice_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;

static fake_device devices[MAX_GPUS];
static int init_count = 0;
static int cfg_count = 1, cfg_init_rc = 0, cfg_counter_rc = 0, cfg_power_rc = 0;
static double cfg_power_w[MAX_GPUS];
static double cfg_counter_rc_after_ms = 0, cfg_reset_after_ms = 0, cfg_tick_ms = 0;
static unsigned long long cfg_mem_used_mb = 1000;
static long cfg_call_delay_us = 0;
#define MAX_SEGMENTS 64
static double cfg_trace_w[MAX_SEGMENTS], cfg_trace_ms[MAX_SEGMENTS], cfg_trace_cycle_ms = 0, cfg_trace_cycle_mj = 0;
static int cfg_trace_n = 0;
static unsigned int cfg_temp_c = 45;
static double init_ms = 0;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void delay(void) {
  if (cfg_call_delay_us <= 0) return;
  struct timespec ts = { cfg_call_delay_us / 1000000, (cfg_call_delay_us % 1000000) * 1000 };
  nanosleep(&ts, NULL);
}

static void read_config(void) {
  cfg_count = 1; cfg_init_rc = 0; cfg_counter_rc = 0; cfg_power_rc = 0;
  cfg_counter_rc_after_ms = 0; cfg_reset_after_ms = 0; cfg_tick_ms = 0;
  cfg_mem_used_mb = 1000; cfg_call_delay_us = 0;
  cfg_trace_n = 0; cfg_trace_cycle_ms = 0; cfg_trace_cycle_mj = 0; cfg_temp_c = 45;
  for (int i = 0; i < MAX_GPUS; i++) cfg_power_w[i] = 100;
  const char *path = getenv("FAKE_NVML_CONFIG");
  if (!path) return;
  FILE *f = fopen(path, "r");
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    char *eq = strchr(line, '=');
    if (!eq) continue;
    *eq = 0;
    const char *key = line, *value = eq + 1;
    if (!strcmp(key, "init_rc")) cfg_init_rc = atoi(value);
    else if (!strcmp(key, "count")) cfg_count = atoi(value) > MAX_GPUS ? MAX_GPUS : atoi(value);
    else if (!strcmp(key, "counter_rc")) cfg_counter_rc = atoi(value);
    else if (!strcmp(key, "counter_rc_after_ms")) cfg_counter_rc_after_ms = atof(value);
    else if (!strcmp(key, "reset_after_ms")) cfg_reset_after_ms = atof(value);
    else if (!strcmp(key, "power_rc")) cfg_power_rc = atoi(value);
    else if (!strcmp(key, "mem_used_mb")) cfg_mem_used_mb = strtoull(value, NULL, 10);
    else if (!strcmp(key, "tick_ms")) cfg_tick_ms = atof(value);
    else if (!strcmp(key, "call_delay_us")) cfg_call_delay_us = atol(value);
    else if (!strcmp(key, "temp_c")) cfg_temp_c = (unsigned int)atoi(value);
    else if (!strcmp(key, "power_trace")) {
      char *rest = (char *)value;
      while (cfg_trace_n < MAX_SEGMENTS && rest && *rest && *rest != '\n') {
        double w = strtod(rest, &rest);
        if (*rest != ':') break;
        double ms = strtod(rest + 1, &rest);
        if (ms <= 0) break;
        cfg_trace_w[cfg_trace_n] = w; cfg_trace_ms[cfg_trace_n] = ms; cfg_trace_n++;
        cfg_trace_cycle_ms += ms; cfg_trace_cycle_mj += w * ms;
        if (*rest == ',') rest++;
      }
    }
    else if (!strcmp(key, "power_w")) {
      char *rest = (char *)value;
      double last = 100;
      for (int i = 0; i < MAX_GPUS; i++) {
        if (rest && *rest && *rest != '\n') { last = strtod(rest, &rest); if (*rest == ',') rest++; }
        cfg_power_w[i] = last;
      }
    }
  }
  fclose(f);
}

#define REQUIRE_INIT() do { if (init_count <= 0) return 1; } while (0)
#define REQUIRE_DEVICE(d) do { if (!(d) || (d) < devices || (d) >= devices + cfg_count) return 2; } while (0)

int nvmlInit_v2(void) {
  if (init_count == 0) {
    read_config();
    if (cfg_init_rc) return cfg_init_rc;
    init_ms = now_ms();
  }
  init_count++;
  return 0;
}

int nvmlShutdown(void) {
  REQUIRE_INIT();
  init_count--;
  return 0;
}

const char *nvmlErrorString(int rc) {
  switch (rc) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 2: return "Invalid Argument";
    case 3: return "Not Supported";
    case 4: return "Insufficient Permissions";
    case 9: return "Driver Not Loaded";
    case 15: return "GPU is lost";
    default: return "Unknown Error";
  }
}

int nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  REQUIRE_INIT();
  snprintf(version, length, "%s", "999.99.fake");
  return 0;
}

int nvmlDeviceGetCount_v2(unsigned int *count) {
  REQUIRE_INIT();
  delay();
  *count = (unsigned int)cfg_count;
  return 0;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  REQUIRE_INIT();
  if ((int)index >= cfg_count) return 2;
  devices[index].index = (int)index;
  *device = &devices[index];
  return 0;
}

int nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
  REQUIRE_INIT(); REQUIRE_DEVICE(device);
  snprintf(name, length, "Fake NVML GPU %d", device->index);
  return 0;
}

int nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
  REQUIRE_INIT(); REQUIRE_DEVICE(device);
  snprintf(uuid, length, "GPU-fa4e0000-0000-0000-0000-00000000000%d", device->index);
  return 0;
}

/* GPU 0 under a power trace: power at t and energy from 0 to t (ms after init). */
static double trace_power_w(double t) {
  double r = t - cfg_trace_cycle_ms * (double)(long long)(t / cfg_trace_cycle_ms);
  for (int i = 0; i < cfg_trace_n; i++) { if (r < cfg_trace_ms[i]) return cfg_trace_w[i]; r -= cfg_trace_ms[i]; }
  return cfg_trace_w[cfg_trace_n - 1];
}
static double trace_energy_mj(double t) {
  long long cycles = (long long)(t / cfg_trace_cycle_ms);
  double mj = cycles * cfg_trace_cycle_mj, r = t - cycles * cfg_trace_cycle_ms;
  for (int i = 0; i < cfg_trace_n && r > 0; i++) { double d = r < cfg_trace_ms[i] ? r : cfg_trace_ms[i]; mj += cfg_trace_w[i] * d; r -= d; }
  return mj;
}

int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy) {
  REQUIRE_INIT(); REQUIRE_DEVICE(device);
  delay();
  double t = now_ms() - init_ms;
  if (cfg_counter_rc && t >= cfg_counter_rc_after_ms) return cfg_counter_rc;
  if (cfg_tick_ms > 0) t = (double)(long long)(t / cfg_tick_ms) * cfg_tick_ms;
  double watts = cfg_power_w[device->index];
  double mj;
  if (cfg_trace_n > 0 && device->index == 0) mj = 5e9 + trace_energy_mj(t);
  else if (cfg_reset_after_ms > 0 && t >= cfg_reset_after_ms) mj = watts * (t - cfg_reset_after_ms); /* W × ms = mJ */
  else mj = 5e9 + watts * t; /* a counter that has been running since the driver loaded */
  *energy = (unsigned long long)mj;
  return 0;
}

int nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power) {
  REQUIRE_INIT(); REQUIRE_DEVICE(device);
  delay();
  if (cfg_power_rc) return cfg_power_rc;
  if (cfg_trace_n > 0 && device->index == 0) { *power = (unsigned int)(trace_power_w(now_ms() - init_ms) * 1000.0); return 0; }
  *power = (unsigned int)(cfg_power_w[device->index] * 1000.0);
  return 0;
}

int nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
  REQUIRE_INIT(); REQUIRE_DEVICE(device);
  delay();
  memory->total = 81920ULL << 20;
  memory->used = (cfg_mem_used_mb + (unsigned long long)device->index) << 20;
  memory->free = memory->total - memory->used;
  return 0;
}

int nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *limit) {
  REQUIRE_INIT(); REQUIRE_DEVICE(device);
  *limit = 700000;
  return 0;
}

int nvmlDeviceGetClockInfo(nvmlDevice_t device, int type, unsigned int *clock) {
  REQUIRE_INIT(); REQUIRE_DEVICE(device);
  if (type < 0 || type > 3) return 2;
  *clock = type == 2 ? 3201 : 1980;
  return 0;
}

int nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, unsigned int *temp) {
  REQUIRE_INIT(); REQUIRE_DEVICE(device);
  if (sensor != 0) return 2;
  delay();
  *temp = cfg_temp_c + (unsigned int)device->index;
  return 0;
}
