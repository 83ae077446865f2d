// Do-nothing device groups (Zeus's EmptyGPUs/EmptyCPUs): the sampler never asks "is there a GPU?".
import type { DeviceGroup } from "./channel.js";

export function emptyGroup(): DeviceGroup {
  return { channels: [], close() {} };
}
