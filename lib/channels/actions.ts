"use server";
import { adminAction } from "@/lib/actions";
import { listChannels } from "./queries";
import { createChannel, deleteChannels, setChannelStatus, updateChannel } from "./service";
import { ZChannelIdsInput, ZChannelStatusInput, ZCreateChannelInput, ZUpdateChannelInput } from "./schemas";
import { z } from "zod";
import { ZText } from "@/lib/text";

// Admin server actions on channels: parse → one service call → result (lib/actions.ts). The
// results carry ChannelDto, whose key is masked: a channel key never leaves the server in full.

export const listChannelsAction = adminAction(
  z.object({ status: z.coerce.number().int().optional(), group: ZText.optional(), model: ZText.optional() }),
  async (filter) => listChannels(filter),
);

export const createChannelAction = adminAction(ZCreateChannelInput, async (input) => createChannel(input));

export const updateChannelAction = adminAction(ZUpdateChannelInput, async (input) => updateChannel(input));

export const setChannelStatusAction = adminAction(ZChannelStatusInput, async (input) => setChannelStatus(input));

export const deleteChannelsAction = adminAction(ZChannelIdsInput, async (input) => deleteChannels(input));
