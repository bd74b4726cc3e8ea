/**
 * Quartz set-up and the daemon's jobs. {@link io.certkeeper.schedule.Scheduling} creates the
 * scheduler over the store's database; jobs are thin, each calls one service and never lets an
 * exception kill the scheduler.
 */
package io.certkeeper.schedule;
