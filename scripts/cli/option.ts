import { z } from "zod";
import { AppError } from "@/lib/errors";
import { isOptionKey } from "@/lib/options/schemas";
import { getOptions, setOption } from "@/lib/options/service";
import { defineCommand, flag, type CommandMap } from "./command";

export const optionCommands = {
  "option:get": defineCommand({
    summary: "print one setting, or all of them (defaults overlaid with stored values)",
    usage: "[--key K]",
    flags: z.object({ key: flag.string("key").optional() }),
    async run({ key }) {
      const options = await getOptions();
      if (key === undefined) return options;
      if (!isOptionKey(key)) throw new AppError("unknown_option", `Unknown option "${key}"`, 400);
      return { key, value: options[key] };
    },
  }),

  "option:set": defineCommand({
    summary: "validate and store one setting, as the admin settings page does (JSON, or a bare string)",
    usage: "--key K --value V",
    flags: z.object({
      key: flag.string("key"),
      // an empty string is a legal value for some options (ServerAddress)
      value: z.string({ error: "--value needs a value (use --value= for an empty one)" }),
    }),
    async run({ key, value }) {
      return setOption(key, value);
    },
  }),
} satisfies CommandMap;
