/** cache-bus topic of channel writes (lib/cache/bus): the routing snapshot listens to it */
export const CHANNELS_TOPIC = "channels";
