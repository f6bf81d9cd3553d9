"use server";
import { z } from "zod";
import { authedAction } from "@/lib/actions";
import { listNotifications } from "./queries";
import { ZNotifySettingsForm, ZTestNotificationInput } from "./schemas";
import { sendTestNotification } from "./service";
import { getNotifySettings, saveNotifySettings } from "./settings";

// The settings page: read and merge-save the preferences, send a test, read the delivery history.

const ZNoInput = z.strictObject({});

export const notifySettingsAction = authedAction(ZNoInput, async (_input, user) => getNotifySettings(user.id));

export const saveNotifySettingsAction = authedAction(ZNotifySettingsForm, async (input, user) =>
  saveNotifySettings(user.id, input),
);

export const sendTestNotificationAction = authedAction(ZTestNotificationInput, async (input, user) => {
  const r = await sendTestNotification(user.id, input.channel);
  return { id: r.id.toString(), status: r.status, error: r.error, statusCode: r.statusCode };
});

export const notificationHistoryAction = authedAction(ZNoInput, async (_input, user) => listNotifications(user.id));
