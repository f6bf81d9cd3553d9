import { z } from "zod";
import { listChannels } from "@/lib/channels/queries";
import { createChannel, setChannelStatus } from "@/lib/channels/service";
import { defineCommand, flag, type CommandMap } from "./command";

// Upstream channels from the command line. The channel key is never printed back in full.

export const channelCommands = {
  "channel:create": defineCommand({
    summary:
      "add an upstream (base URL, with or without /v1) serving models to groups; --dialect anthropic for an Anthropic Messages upstream",
    usage:
      "--name N --base-url URL --key K --models a,b [--groups default,vip] [--priority P] [--weight W] [--model-mapping JSON] [--dialect openai|anthropic] [--disabled]",
    flags: z.object({
      name: flag.string("name"),
      baseUrl: flag.string("base-url"),
      key: flag.string("key"),
      models: flag.string("models"),
      groups: flag.string("groups").optional(),
      priority: flag.integer("priority").optional(),
      weight: flag.integer("weight").optional(),
      modelMapping: flag.string("model-mapping").optional(),
      dialect: flag.string("dialect").optional(),
      disabled: flag.boolean("disabled").optional(),
    }),
    async run(f) {
      return createChannel({
        name: f.name,
        baseUrl: f.baseUrl,
        key: f.key,
        models: f.models,
        ...(f.groups !== undefined ? { groups: f.groups } : {}),
        ...(f.priority !== undefined ? { priority: Number(f.priority) } : {}),
        ...(f.weight !== undefined ? { weight: Number(f.weight) } : {}),
        ...(f.modelMapping !== undefined ? { modelMapping: f.modelMapping } : {}),
        ...(f.dialect !== undefined ? { dialect: f.dialect as "openai" | "anthropic" } : {}),
        status: f.disabled ? 2 : 1,
      });
    },
  }),

  "channel:list": defineCommand({
    summary: "list channels (keys masked)",
    usage: "[--group G] [--model M]",
    flags: z.object({ group: flag.string("group").optional(), model: flag.string("model").optional() }),
    async run(f) {
      return listChannels(f);
    },
  }),

  "channel:status": defineCommand({
    summary: "enable or disable a channel",
    usage: "--id N (--enable | --disable)",
    flags: z
      .object({
        id: flag.integer("id"),
        enable: flag.boolean("enable").optional(),
        disable: flag.boolean("disable").optional(),
      })
      .refine((f) => Boolean(f.enable) !== Boolean(f.disable), {
        message: "give exactly one of --enable or --disable",
      }),
    async run(f) {
      return setChannelStatus({ id: Number(f.id), status: f.enable ? 1 : 2 });
    },
  }),
} satisfies CommandMap;
