"use server";
import { z } from "zod";
import { authedAction } from "@/lib/actions";
import { getKeyFormOptions, listKeys } from "./queries";
import { createKeysFromForm, deleteKeys, regenerateKey, setKeyStatus, updateKey } from "./service";
import { ZCreateKeyForm, ZKeyIdInput, ZKeyIdsInput, ZKeyStatusInput, ZUpdateKeyForm } from "./schemas";

// The API-key actions of the portal: parse → one service call scoped to the signed-in user →
// result (lib/actions.ts). Results carry KeyDTO (masked keys); a full key leaves the server only
// in the result of create and regenerate.

const ZNoInput = z.strictObject({});

export const listKeysAction = authedAction(ZNoInput, async (_input, user) => listKeys(user.id));

export const keyFormOptionsAction = authedAction(ZNoInput, async (_input, user) => getKeyFormOptions(user));

export const createKeysAction = authedAction(ZCreateKeyForm, async (input, user) => createKeysFromForm(user.id, input));

export const updateKeyAction = authedAction(ZUpdateKeyForm, async (input, user) => updateKey(user.id, input));

export const setKeyStatusAction = authedAction(ZKeyStatusInput, async (input, user) => setKeyStatus(user.id, input));

export const deleteKeysAction = authedAction(ZKeyIdsInput, async (input, user) => deleteKeys(user.id, input));

export const regenerateKeyAction = authedAction(ZKeyIdInput, async (input, user) => regenerateKey(user.id, input));
