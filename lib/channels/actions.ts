"use server";
import { z } from "zod";
import { adminAction } from "@/lib/actions";
import { listChannelsWithStats } from "./queries";
import { testChannel } from "./probe";
import { createChannel, deleteChannels, setChannelStatus, updateChannel } from "./service";
import {
  ZChannelIdsInput,
  ZChannelStatusInput,
  ZChannelTestInput,
  ZCreateChannelInput,
  ZUpdateChannelInput,
} from "./schemas";

// Admin server actions on channels: parse → one service call → result (lib/actions.ts). The
// results carry ChannelDto, whose key is masked: a channel key never leaves the server in full.
// Every write names the admin who made it in the audit trail.

const operatorOf = (u: { id: number; username: string }) => ({ id: u.id, username: u.username });

/** the admin page's list: every channel with its requests and last error */
export const listAdminChannelsAction = adminAction(z.object({}), async () => listChannelsWithStats());

export const createChannelAction = adminAction(ZCreateChannelInput, async (input, user) =>
  createChannel(input, operatorOf(user)),
);

export const updateChannelAction = adminAction(ZUpdateChannelInput, async (input, user) =>
  updateChannel(input, operatorOf(user)),
);

export const setChannelStatusAction = adminAction(ZChannelStatusInput, async (input, user) =>
  setChannelStatus(input, operatorOf(user)),
);

export const deleteChannelsAction = adminAction(ZChannelIdsInput, async (input, user) =>
  deleteChannels(input, operatorOf(user)),
);

/** GET <base>/v1/models (and a one-token chat when a model is named): latency or the error */
export const testChannelAction = adminAction(ZChannelTestInput, async (input) => testChannel(input));
