/**
 * Internal to amqpkit: what its protocol clients share. Not an API; it may change in any release.
 */
package dev.amqpkit.common.internal;
