// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: RDMA devices.
 *
 * The module learns of devices through an ib_client, the way xprtrdma and
 * RDS do, and not from rdma_cm events: the client's remove callback is the
 * one place where ib_core waits for its users, so device removal (e.g.
 * `rdma link del rxe0`) is handled here, with a reference count per device.
 */
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <rdma/ib_verbs.h>

#include "rsk.h"

/* rsk_devices_lock protects rsk_devices, the list of bound devices. */
static LIST_HEAD(rsk_devices);
static DEFINE_MUTEX(rsk_devices_lock);

static struct ib_client rsk_ib_client;

static void rsk_dev_release(struct kref *ref)
{
	struct rsk_device *rdev = container_of(ref, struct rsk_device, ref);

	complete(&rdev->released);
}

void rsk_dev_put(struct rsk_device *rdev)
{
	kref_put(&rdev->ref, rsk_dev_release);
}

/* Only devices rdma_cm can connect over are of use to the family. */
static bool rsk_dev_usable(struct ib_device *ibdev)
{
	u32 port;

	rdma_for_each_port(ibdev, port) {
		if (rdma_cap_ib_cm(ibdev, port) || rdma_cap_iw_cm(ibdev, port))
			return true;
	}
	return false;
}

static int rsk_ib_add(struct ib_device *ibdev)
{
	struct rsk_device *rdev;

	if (!rsk_dev_usable(ibdev))
		return -EOPNOTSUPP;	/* ib_core: "not for this client" */

	rdev = kzalloc(sizeof(*rdev), GFP_KERNEL);
	if (!rdev)
		return -ENOMEM;
	rdev->ibdev = ibdev;
	kref_init(&rdev->ref);		/* the list's reference */
	init_completion(&rdev->released);

	mutex_lock(&rsk_devices_lock);
	list_add_tail(&rdev->list, &rsk_devices);
	mutex_unlock(&rsk_devices_lock);

	ib_set_client_data(ibdev, &rsk_ib_client, rdev);
	atomic_inc(&rsk_counters.devices);
	return 0;
}

/*
 * Called by ib_core before it frees the device, also for every device when
 * the client is unregistered at rmmod.  The device must be unused when
 * this returns.
 */
static void rsk_ib_remove(struct ib_device *ibdev, void *client_data)
{
	struct rsk_device *rdev = client_data;

	mutex_lock(&rsk_devices_lock);
	list_del(&rdev->list);
	mutex_unlock(&rsk_devices_lock);

	rsk_dev_put(rdev);
	wait_for_completion(&rdev->released);

	atomic_dec(&rsk_counters.devices);
	kfree(rdev);
}

static struct ib_client rsk_ib_client = {
	.name	= "rdma_sock",
	.add	= rsk_ib_add,
	.remove	= rsk_ib_remove,
};

/* One line per bound device: name and reference count. */
int rsk_dev_show(struct seq_file *seq, void *v)
{
	struct rsk_device *rdev;

	mutex_lock(&rsk_devices_lock);
	list_for_each_entry(rdev, &rsk_devices, list)
		seq_printf(seq, "%s refs %u\n", dev_name(&rdev->ibdev->dev),
			   kref_read(&rdev->ref));
	mutex_unlock(&rsk_devices_lock);
	return 0;
}

int rsk_dev_init(void)
{
	return ib_register_client(&rsk_ib_client);
}

void rsk_dev_exit(void)
{
	ib_unregister_client(&rsk_ib_client);
}
