// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the channel layer (rsk_chan*.c) over a fake link.
 *
 * The fake is a struct rsk_link that no QP backs: the link functions the
 * channel layer calls to send (rsk_link_send(), rsk_link_send_ctrl(),
 * rsk_link_queue_ctrl()), to find a link (rsk_link_get_for_peer()) and
 * to listen are replaced through KUnit static stubs, which record every
 * message on a list instead of posting it; the peer's messages go in
 * through the link's own receive function, rsk_link_rx(), exactly as a
 * completion would hand them over.  The sockets are real kernel sockets
 * of the family, driven through the kernel socket API.  So the tests see
 * the channel state machine, its windows and sequence numbers, and every
 * row of rdma_sock.rst's "Validation" table from the outside: what goes
 * on the wire, what the socket reports, and which counter moves.
 *
 * Static stubs redirect only calls made by the test's own thread; timers
 * would call the real functions, so every socket is closed (and its
 * timers stopped) before its test ends, and the fake link has no send
 * slot, so a stray real send only queues.
 */
#include <kunit/test.h>
#include <kunit/static_stub.h>
#include <linux/delay.h>
#include <linux/inet.h>
#include <linux/jhash.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include <net/rdma_sock.h>

#include "rsk.h"
#include "rsk_test.h"

#define FAKE_PEER_CHAN	7001
#define FAKE_PEER_ISN	0x40000000U
#define FAKE_PEER_WND	65536
#define FAKE_PORT	7390

/* A message the channel layer handed to the fake link. */
struct fake_msg {
	struct list_head node;
	struct rsk_wire_hdr hdr;
	u32 len;			/* body bytes */
	u8 body[64];			/* the first of them */
};

struct fake_link {
	struct rsk_link *link;
	struct list_head msgs;		/* struct fake_msg, as sent */
	struct list_head inflight;	/* rsk_tx_buf a channel sent */
	struct rsk_net *rnet;
};

static struct fake_link *fake_of(void)
{
	return kunit_get_current_test()->priv;
}

static void fake_record(struct fake_link *f, const void *buf, u32 len)
{
	struct fake_msg *m = kzalloc(sizeof(*m), GFP_ATOMIC);

	if (!m)
		return;
	memcpy(&m->hdr, buf, sizeof(m->hdr));
	m->len = len;
	memcpy(m->body, (const u8 *)buf + sizeof(m->hdr),
	       min_t(u32, len, sizeof(m->body)));
	list_add_tail(&m->node, &f->msgs);
}

/* ---- the stubs ---- */

static int fake_link_send(struct rsk_link *link, struct rsk_tx_buf *tb,
			  struct rsk_link_chan *waiter)
{
	struct fake_link *f = fake_of();

	fake_record(f, tb->buf, tb->len);
	list_add_tail(&tb->list, &f->inflight);	/* completed by the test */
	return 0;
}

static void fake_link_send_ctrl(struct rsk_link *link, u8 type, u8 flags,
				u32 dst, u32 src, const void *body,
				u32 body_len)
{
	u8 buf[sizeof(struct rsk_wire_hdr) + 64] = {};
	struct rsk_wire_hdr *hdr = (void *)buf;

	hdr->type = type;
	hdr->flags = flags;
	hdr->dst_chan = cpu_to_be32(dst);
	hdr->src_chan = cpu_to_be32(src);
	memcpy(hdr + 1, body, min_t(u32, body_len, 64));
	fake_record(fake_of(), buf, body_len);
}

static void fake_link_queue_ctrl(struct rsk_link *link, struct rsk_tx_buf *tb)
{
	fake_record(fake_of(), tb->buf, tb->len);
	rsk_tx_buf_free(tb);
}

static struct rsk_link *fake_link_get_for_peer(struct rsk_net *rnet,
					       const struct rsk_addr *peer,
					       const struct rsk_addr *local)
{
	struct fake_link *f = fake_of();

	kref_get(&f->link->ref);
	return f->link;
}

static void fake_release_nothing(struct kref *ref)
{
}

/* The fake is freed by the test's exit; only its count moves here. */
static void fake_link_put(struct rsk_link *link)
{
	kref_put(&link->ref, fake_release_nothing);
}

static int fake_link_listen_get(struct rsk_net *rnet)
{
	return 0;
}

static void fake_link_listen_put(struct rsk_net *rnet)
{
}

/* ---- the harness ---- */

static int fake_init(struct kunit *test)
{
	struct fake_link *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct rsk_link *link = kunit_kzalloc(test, sizeof(*link), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_NOT_NULL(test, link);
	f->rnet = rsk_net(&init_net);
	INIT_LIST_HEAD(&f->msgs);
	INIT_LIST_HEAD(&f->inflight);
	kref_init(&link->ref);
	link->rnet = f->rnet;
	link->id = 4242;
	link->active = true;
	link->max_msg = RSK_RX_BUF_SIZE;
	link->state = RSK_LINK_UP;
	link->sq_free = 0;	/* a real send from a timer only queues */
	spin_lock_init(&link->lock);
	idr_init(&link->chans);
	INIT_LIST_HEAD(&link->tx_waiters);
	INIT_LIST_HEAD(&link->conn_waiters);
	INIT_LIST_HEAD(&link->ctrl_queue);
	INIT_LIST_HEAD(&link->net_node);
	INIT_LIST_HEAD(&link->all_node);
	link->peer.family = AF_INET;
	link->peer.v4 = htonl(0xc0000201);		/* 192.0.2.1 */
	link->local.family = AF_INET;
	link->local.v4 = htonl(INADDR_LOOPBACK);
	link->self = false;			/* another host */
	f->link = link;
	test->priv = f;

	kunit_activate_static_stub(test, rsk_link_send, fake_link_send);
	kunit_activate_static_stub(test, rsk_link_send_ctrl,
				   fake_link_send_ctrl);
	kunit_activate_static_stub(test, rsk_link_send_ctrl_own,
				   fake_link_send_ctrl);
	kunit_activate_static_stub(test, rsk_link_queue_ctrl,
				   fake_link_queue_ctrl);
	kunit_activate_static_stub(test, rsk_link_get_for_peer,
				   fake_link_get_for_peer);
	kunit_activate_static_stub(test, rsk_link_put, fake_link_put);
	kunit_activate_static_stub(test, rsk_link_listen_get,
				   fake_link_listen_get);
	kunit_activate_static_stub(test, rsk_link_listen_put,
				   fake_link_listen_put);
	return 0;
}

/* Every message a channel sent completes, as its send completion would. */
static void fake_complete(struct fake_link *f)
{
	const struct rsk_link_chan_ops *ops = rsk_link_chan_ops();
	struct rsk_tx_buf *tb;

	while ((tb = list_first_entry_or_null(&f->inflight, struct rsk_tx_buf,
					      list))) {
		list_del_init(&tb->list);
		local_bh_disable();
		if (tb->owner)
			ops->sent(tb->owner, tb);
		local_bh_enable();
		rsk_tx_buf_free(tb);
	}
}

static void fake_forget(struct fake_link *f)
{
	struct fake_msg *m, *tmp;

	list_for_each_entry_safe(m, tmp, &f->msgs, node) {
		list_del(&m->node);
		kfree(m);
	}
}

static void fake_exit(struct kunit *test)
{
	struct fake_link *f = test->priv;
	struct rsk_tx_buf *tb, *tmp;

	fake_complete(f);
	fake_forget(f);
	/* Every channel let go of the link and every socket its reference. */
	KUNIT_EXPECT_TRUE(test, idr_is_empty(&f->link->chans));
	KUNIT_EXPECT_EQ(test, kref_read(&f->link->ref), 1);
	list_for_each_entry_safe(tb, tmp, &f->link->ctrl_queue, list)
		rsk_tx_buf_free(tb);
	idr_destroy(&f->link->chans);
}

/* The oldest message sent that is still on the list, taken off it. */
static struct fake_msg *fake_pop(struct kunit *test)
{
	struct fake_link *f = test->priv;
	struct fake_msg *m;

	m = list_first_entry_or_null(&f->msgs, struct fake_msg, node);
	KUNIT_ASSERT_NOT_NULL_MSG(test, m, "nothing was sent");
	list_del(&m->node);
	kunit_add_action(test, (kunit_action_t *)kfree, m);
	return m;
}

/* The next message sent of @type, those before it dropped. */
static struct fake_msg *fake_pop_type(struct kunit *test, u8 type)
{
	struct fake_msg *m;

	do {
		m = fake_pop(test);
	} while (m->hdr.type != type);
	return m;
}

static bool fake_sent_none(struct kunit *test)
{
	return list_empty(&((struct fake_link *)test->priv)->msgs);
}

/* A message from the peer, as the link's receive completion delivers it. */
static bool fake_rx_raw(struct kunit *test, const void *msg, u32 byte_len)
{
	struct fake_link *f = test->priv;
	struct ib_wc wc = { .status = IB_WC_SUCCESS, .byte_len = byte_len };
	struct rsk_rx_buf rxb = {};
	bool taken;

	rxb.page = alloc_pages(GFP_KERNEL | __GFP_COMP, RSK_RX_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, rxb.page);
	memcpy(page_address(rxb.page), msg, min_t(u32, byte_len,
						  RSK_RX_BUF_SIZE));
	local_bh_disable();
	taken = rsk_link_rx(&f->link->cq, &rxb, &wc);
	local_bh_enable();
	/* Small payloads are copied: the page is never handed over here. */
	KUNIT_EXPECT_FALSE(test, taken);
	__free_pages(rxb.page, RSK_RX_ORDER);
	return taken;
}

static void fake_rx(struct kunit *test, u8 type, u8 flags, u32 dst, u32 src,
		    u32 seq, u32 ack, u32 wnd, const void *body, u32 len)
{
	u8 buf[sizeof(struct rsk_wire_hdr) + 128] = {};
	struct rsk_wire_hdr *hdr = (void *)buf;

	KUNIT_ASSERT_LE(test, len, 128);
	hdr->type = type;
	hdr->flags = flags;
	hdr->dst_chan = cpu_to_be32(dst);
	hdr->src_chan = cpu_to_be32(src);
	hdr->seq = cpu_to_be32(seq);
	hdr->ack = cpu_to_be32(ack);
	hdr->wnd = cpu_to_be32(wnd);
	if (len)
		memcpy(hdr + 1, body, len);
	fake_rx_raw(test, buf, sizeof(*hdr) + len);
}

static long fake_event(struct kunit *test, enum rsk_event ev)
{
	return atomic_long_read(&((struct fake_link *)test->priv)->rnet->events[ev]);
}

/* A connected stream socket and what both ends' sequence numbers are. */
struct fake_conn {
	struct socket *sock;
	struct rsk_stream_sock *rs;
	u32 chan;		/* ours */
	u32 snd_nxt;		/* our next byte */
	u32 rcv_nxt;		/* the peer's next byte */
};

static struct socket *fake_socket(struct kunit *test)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, rdma_sock_family(),
					       SOCK_STREAM, 0, &sock), 0);
	return sock;
}

static struct sockaddr_in fake_sin(u32 ip, u16 port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_addr.s_addr = htonl(ip);
	sin.sin_port = htons(port);
	return sin;
}

/* A stream socket listening on @sin with @backlog. */
static struct socket *fake_listener(struct kunit *test,
				    const struct sockaddr_in *sin, int backlog)
{
	struct socket *lsock = fake_socket(test);

	KUNIT_ASSERT_EQ(test, kernel_bind(lsock, (struct sockaddr *)sin,
					  sizeof(*sin)), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(lsock, backlog), 0);
	return lsock;
}

/* connect(): SYN_SENT and the CONN_REQ it sent. */
static void fake_connect_start(struct kunit *test, struct fake_conn *c)
{
	struct sockaddr_in sin = fake_sin(0xc0000201, FAKE_PORT);
	const struct rsk_wire_conn *conn;
	struct fake_msg *m;

	c->sock = fake_socket(test);
	c->rs = rsk_stream_sk(c->sock->sk);
	KUNIT_ASSERT_EQ(test, kernel_connect(c->sock, (struct sockaddr *)&sin,
					     sizeof(sin), O_NONBLOCK),
			-EINPROGRESS);
	KUNIT_EXPECT_EQ(test, c->sock->sk->sk_state, TCP_SYN_SENT);
	m = fake_pop(test);
	KUNIT_ASSERT_EQ(test, m->hdr.type, RSK_MSG_CONN_REQ);
	KUNIT_EXPECT_EQ(test, m->hdr.dst_chan, 0);
	c->chan = be32_to_cpu(m->hdr.src_chan);
	KUNIT_EXPECT_NE(test, c->chan, 0);
	KUNIT_EXPECT_EQ(test, c->chan, c->rs->chan.id);
	c->snd_nxt = be32_to_cpu(m->hdr.seq);
	KUNIT_EXPECT_GT(test, be32_to_cpu(m->hdr.wnd), 0);
	KUNIT_ASSERT_EQ(test, m->len, sizeof(*conn));
	conn = (const void *)m->body;
	KUNIT_EXPECT_EQ(test, conn->ip_version, 4);
	KUNIT_EXPECT_EQ(test, ntohs(conn->dst_port), FAKE_PORT);
	KUNIT_EXPECT_NE(test, conn->src_port, 0);
	KUNIT_EXPECT_EQ(test, memcmp(conn->dst_addr, &sin.sin_addr, 4), 0);
	fake_complete(test->priv);
}

/* The peer's CONN_ACCEPT: ESTABLISHED, and our window goes to it. */
static void fake_connect(struct kunit *test, struct fake_conn *c)
{
	struct fake_msg *m;

	fake_connect_start(test, c);
	c->rcv_nxt = FAKE_PEER_ISN;
	fake_rx(test, RSK_MSG_CONN_ACCEPT, 0, c->chan, FAKE_PEER_CHAN,
		c->rcv_nxt, c->snd_nxt, FAKE_PEER_WND, NULL, 0);
	KUNIT_ASSERT_EQ(test, c->sock->sk->sk_state, TCP_ESTABLISHED);
	m = fake_pop(test);
	KUNIT_EXPECT_EQ(test, m->hdr.type, RSK_MSG_WINDOW);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.dst_chan), FAKE_PEER_CHAN);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.ack), c->rcv_nxt);
	fake_complete(test->priv);
}

/* close() with SO_LINGER 0: RST, CLOSE, and the socket goes. */
static void fake_abort(struct kunit *test, struct fake_conn *c)
{
	struct sock *sk = c->sock->sk;

	sock_set_flag(sk, SOCK_LINGER);
	sk->sk_lingertime = 0;
	sock_release(c->sock);
	fake_complete(test->priv);
	c->sock = NULL;
}

static int fake_send(struct fake_conn *c, const void *buf, size_t len)
{
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };

	return kernel_sendmsg(c->sock, &msg, &iov, 1, len);
}

static int fake_recv(struct fake_conn *c, void *buf, size_t len)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};

	return kernel_recvmsg(c->sock, &msg, &iov, 1, len, MSG_DONTWAIT);
}

/* ---- sequence and window arithmetic ---- */

static void rsk_chan_seq_wrap(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, rsk_seq_before(0xfffffff0U, 0x10));
	KUNIT_EXPECT_TRUE(test, rsk_seq_after(0x10, 0xfffffff0U));
	KUNIT_EXPECT_FALSE(test, rsk_seq_before(5, 5));
	KUNIT_EXPECT_FALSE(test, rsk_seq_after(5, 5));
	KUNIT_EXPECT_TRUE(test, rsk_seq_before(0x7fffffffU, 0x80000000U));
}

/*
 * Acks: none beyond what was sent, none behind the last; edges only grow.
 * The calls run under the socket's lock, as the receive path makes them;
 * what they return is checked after it is dropped (a failed expectation
 * allocates).
 */
static void rsk_chan_ack_and_window(struct kunit *test)
{
	struct fake_conn c = {};
	struct rsk_wire_hdr hdr = {};
	struct rsk_stream_sock *rs;
	int beyond, ok, behind, huge;
	u32 una, edge1, edge2, wnd1, wnd2, right1, right2;

	fake_connect(test, &c);
	rs = c.rs;
	spin_lock_bh(&rs->lock);
	rs->snd_nxt = c.snd_nxt + 100;		/* as if 100 bytes went */
	hdr.ack = cpu_to_be32(c.snd_nxt + 101);
	beyond = rsk_chan_rx_ack(rs, &hdr);
	hdr.ack = cpu_to_be32(c.snd_nxt + 50);
	hdr.wnd = cpu_to_be32(10);
	ok = rsk_chan_rx_ack(rs, &hdr);
	una = rs->snd_una;
	edge1 = rs->snd_wnd_end;
	hdr.ack = cpu_to_be32(c.snd_nxt + 40);	/* behind the last ack */
	behind = rsk_chan_rx_ack(rs, &hdr);
	hdr.ack = cpu_to_be32(c.snd_nxt + 100);
	hdr.wnd = cpu_to_be32(0xffffffffU);
	huge = rsk_chan_rx_ack(rs, &hdr);
	edge2 = rs->snd_wnd_end;
	rs->snd_nxt = c.snd_nxt;
	rs->snd_una = c.snd_nxt;
	rs->snd_wnd_end = c.snd_nxt + FAKE_PEER_WND;

	/* What we advertise: the buffer's room, the edge never back. */
	wnd1 = rsk_chan_adv_wnd(rs);
	right1 = rs->rcv_wnd_sent;
	rs->rcv_queued = wnd1;			/* as if the buffer filled */
	wnd2 = rsk_chan_adv_wnd(rs);
	right2 = rs->rcv_wnd_sent;
	rs->rcv_queued = 0;
	spin_unlock_bh(&rs->lock);

	KUNIT_EXPECT_EQ(test, beyond, -EPROTO);
	KUNIT_EXPECT_EQ(test, ok, 0);
	KUNIT_EXPECT_EQ(test, una, c.snd_nxt + 50);
	/* The right edge stays where the larger window put it. */
	KUNIT_EXPECT_EQ(test, edge1, c.snd_nxt + FAKE_PEER_WND);
	KUNIT_EXPECT_EQ(test, behind, -EPROTO);
	/* A window beyond 2^30 is taken as 2^30. */
	KUNIT_EXPECT_EQ(test, huge, 0);
	KUNIT_EXPECT_EQ(test, edge2, (u32)(c.snd_nxt + 100 + BIT(30)));
	KUNIT_EXPECT_EQ(test, wnd1, (u32)rsk_rcvbuf(&rs->base));
	KUNIT_EXPECT_EQ(test, wnd2, wnd1);
	KUNIT_EXPECT_EQ(test, right2, right1);
	fake_abort(test, &c);
}

/* ---- the state machine ---- */

/* connect, data both ways, the peer's FIN, our close: every state. */
static void rsk_chan_connect_data_close(struct kunit *test)
{
	struct fake_conn c = {};
	struct fake_msg *m;
	char buf[16];

	fake_connect(test, &c);

	KUNIT_EXPECT_EQ(test, fake_send(&c, "hello", 5), 5);
	m = fake_pop_type(test, RSK_MSG_DATA);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.seq), c.snd_nxt);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.src_chan), c.chan);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.dst_chan), FAKE_PEER_CHAN);
	KUNIT_EXPECT_EQ(test, m->len, 5);
	KUNIT_EXPECT_EQ(test, memcmp(m->body, "hello", 5), 0);
	c.snd_nxt += 5;
	fake_complete(test->priv);

	fake_rx(test, RSK_MSG_DATA, 0, c.chan, FAKE_PEER_CHAN, c.rcv_nxt,
		c.snd_nxt, FAKE_PEER_WND, "world!", 6);
	c.rcv_nxt += 6;
	KUNIT_EXPECT_EQ(test, fake_recv(&c, buf, sizeof(buf)), 6);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "world!", 6), 0);

	fake_rx(test, RSK_MSG_FIN, 0, c.chan, FAKE_PEER_CHAN, c.rcv_nxt,
		c.snd_nxt, FAKE_PEER_WND, NULL, 0);
	KUNIT_EXPECT_EQ(test, c.sock->sk->sk_state, TCP_CLOSE_WAIT);
	KUNIT_EXPECT_EQ(test, fake_recv(&c, buf, sizeof(buf)), 0);

	/* LAST_ACK, and CLOSE as our FIN goes: both FINs are through. */
	KUNIT_EXPECT_EQ(test, kernel_sock_shutdown(c.sock, SHUT_WR), 0);
	m = fake_pop_type(test, RSK_MSG_FIN);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.seq), c.snd_nxt);
	KUNIT_EXPECT_EQ(test, c.sock->sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, c.rs->chan.id, 0);
	KUNIT_EXPECT_EQ(test, c.sock->sk->sk_err, 0);
	sock_release(c.sock);
	fake_complete(test->priv);
}

/* REFUSE answers a connect: ECONNREFUSED, or ETIMEDOUT for TIMEOUT. */
static void rsk_chan_refused(struct kunit *test)
{
	static const struct {
		u32 reason;
		int err;
	} cases[] = {
		{ RSK_REFUSE_NO_LISTENER, ECONNREFUSED },
		{ RSK_REFUSE_OVERFLOW, ECONNREFUSED },
		{ RSK_REFUSE_TIMEOUT, ETIMEDOUT },
		{ RSK_REFUSE_MALFORMED, ECONNREFUSED },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct rsk_wire_refuse ref = {
			.reason = cpu_to_be32(cases[i].reason),
		};
		struct fake_conn c = {};

		fake_connect_start(test, &c);
		fake_rx(test, RSK_MSG_CONN_REFUSE, 0, c.chan, 0, 0, 0, 0,
			&ref, sizeof(ref));
		KUNIT_EXPECT_EQ(test, c.sock->sk->sk_state, TCP_CLOSE);
		KUNIT_EXPECT_EQ(test, c.sock->sk->sk_err, cases[i].err);
		KUNIT_EXPECT_TRUE(test, fake_sent_none(test));
		sock_release(c.sock);
	}
}

/* The peer's RST: ECONNRESET (EPIPE after its FIN), counted. */
static void rsk_chan_rst_received(struct kunit *test)
{
	struct rsk_wire_rst rst = { .reason = cpu_to_be32(RSK_RST_ABORT) };
	long before = fake_event(test, RSK_EV_RST_RECEIVED);
	struct fake_conn c = {};

	fake_connect(test, &c);
	fake_rx(test, RSK_MSG_RST, 0, c.chan, FAKE_PEER_CHAN, c.rcv_nxt,
		c.snd_nxt, 0, &rst, sizeof(rst));
	KUNIT_EXPECT_EQ(test, c.sock->sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, c.sock->sk->sk_err, ECONNRESET);
	KUNIT_EXPECT_EQ(test, fake_event(test, RSK_EV_RST_RECEIVED), before + 1);
	KUNIT_EXPECT_TRUE(test, fake_sent_none(test));	/* never answered */
	sock_release(c.sock);
}

/* close() with unread data resets, as TCP's does. */
static void rsk_chan_close_unread(struct kunit *test)
{
	struct fake_conn c = {};
	const struct rsk_wire_rst *rst;
	struct fake_msg *m;

	fake_connect(test, &c);
	fake_rx(test, RSK_MSG_DATA, 0, c.chan, FAKE_PEER_CHAN, c.rcv_nxt,
		c.snd_nxt, FAKE_PEER_WND, "unread", 6);
	sock_release(c.sock);
	m = fake_pop_type(test, RSK_MSG_RST);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.dst_chan), FAKE_PEER_CHAN);
	rst = (const void *)m->body;
	KUNIT_EXPECT_EQ(test, be32_to_cpu(rst->reason), RSK_RST_ABORT);
}

/* A request over a link to this host: a child, CONN_ACCEPT, accept(). */
static void rsk_chan_passive_accept(struct kunit *test)
{
	struct sockaddr_in sin = fake_sin(INADDR_LOOPBACK, FAKE_PORT);
	struct fake_link *f = test->priv;
	struct rsk_wire_conn conn = {
		.dst_port = htons(FAKE_PORT),
		.src_port = htons(40000),
		.ip_version = 4,
	};
	struct socket *lsock, *child;
	struct sockaddr_in peer;
	struct fake_msg *m;
	u32 ours;

	lsock = fake_listener(test, &sin, 4);
	memcpy(conn.dst_addr, &sin.sin_addr, 4);
	memcpy(conn.src_addr, &sin.sin_addr, 4);
	f->link->self = true;			/* proven this host */
	fake_rx(test, RSK_MSG_CONN_REQ, 0, 0, FAKE_PEER_CHAN, FAKE_PEER_ISN,
		0, FAKE_PEER_WND, &conn, sizeof(conn));
	m = fake_pop(test);
	KUNIT_ASSERT_EQ(test, m->hdr.type, RSK_MSG_CONN_ACCEPT);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.dst_chan), FAKE_PEER_CHAN);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.ack), FAKE_PEER_ISN);
	ours = be32_to_cpu(m->hdr.src_chan);
	KUNIT_EXPECT_NE(test, ours, 0);

	KUNIT_ASSERT_EQ(test, kernel_accept(lsock, &child, O_NONBLOCK), 0);
	KUNIT_EXPECT_EQ(test, child->sk->sk_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, kernel_getpeername(child, (struct sockaddr *)&peer),
			(int)sizeof(peer));
	KUNIT_EXPECT_EQ(test, ntohs(peer.sin_port), 40000);
	KUNIT_EXPECT_EQ(test, peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	/* Accepted: the window opens from a child's to the whole buffer. */
	m = fake_pop(test);
	KUNIT_EXPECT_EQ(test, m->hdr.type, RSK_MSG_WINDOW);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.dst_chan), FAKE_PEER_CHAN);

	/* Nobody listens elsewhere: NO_LISTENER. */
	conn.dst_port = htons(FAKE_PORT + 1);
	fake_rx(test, RSK_MSG_CONN_REQ, 0, 0, FAKE_PEER_CHAN + 1,
		FAKE_PEER_ISN, 0, FAKE_PEER_WND, &conn, sizeof(conn));
	m = fake_pop(test);
	KUNIT_EXPECT_EQ(test, m->hdr.type, RSK_MSG_CONN_REFUSE);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(((struct rsk_wire_refuse *)m->body)->reason),
			RSK_REFUSE_NO_LISTENER);

	sock_set_flag(child->sk, SOCK_LINGER);
	child->sk->sk_lingertime = 0;
	sock_release(child);
	sock_release(lsock);
	fake_complete(f);
}

/*
 * A link is to this namespace only if its hello proves it with a token
 * that never left the host: the peer's host_id, which every hello and
 * SIDR answer carries, proves nothing (a remote host that replayed ours
 * used to reach services bound to 127.0.0.1).
 */
static void rsk_chan_self_link_proof(struct kunit *test)
{
	struct sockaddr_in sin = fake_sin(INADDR_LOOPBACK, FAKE_PORT);
	struct fake_link *f = test->priv;
	struct rsk_link *link = f->link;
	long bad = atomic_long_read(&f->rnet->events[RSK_EV_RX_BAD_CONN_REQ]);
	struct rsk_wire_conn conn = {
		.dst_port = htons(FAKE_PORT),
		.src_port = htons(40000),
		.ip_version = 4,
	};
	struct rsk_link *mine;
	struct rsk_wire_hello h;
	struct socket *lsock;
	struct fake_msg *m;

	/* A remote host's REQ with our own host_id: not this host. */
	link->active = false;
	rsk_hello_fill(f->rnet, RSK_RX_BUF_SIZE, 1, &h);
	KUNIT_EXPECT_EQ(test, rsk_link_check_hello(link, &h, sizeof(h)), 0);
	KUNIT_EXPECT_FALSE(test, link->self);
	/* Nor with a token none of our links sent. */
	h.self_token = cpu_to_be64(get_random_u64() | 1);
	KUNIT_EXPECT_EQ(test, rsk_link_check_hello(link, &h, sizeof(h)), 0);
	KUNIT_EXPECT_FALSE(test, link->self);

	/* So 127.0.0.1 over it is refused, a listener there or not. */
	lsock = fake_listener(test, &sin, 4);
	memcpy(conn.dst_addr, &sin.sin_addr, 4);
	memcpy(conn.src_addr, &sin.sin_addr, 4);
	fake_rx(test, RSK_MSG_CONN_REQ, 0, 0, FAKE_PEER_CHAN, FAKE_PEER_ISN,
		0, FAKE_PEER_WND, &conn, sizeof(conn));
	m = fake_pop(test);
	KUNIT_EXPECT_EQ(test, m->hdr.type, RSK_MSG_CONN_REFUSE);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(((struct rsk_wire_refuse *)m->body)->reason),
			RSK_REFUSE_MALFORMED);
	KUNIT_EXPECT_EQ(test,
			atomic_long_read(&f->rnet->events[RSK_EV_RX_BAD_CONN_REQ]),
			bad + 1);
	sock_release(lsock);

	/* The token of one of our own connecting links: this namespace. */
	mine = kunit_kzalloc(test, sizeof(*mine), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mine);
	mine->active = true;
	mine->self_token = get_random_u64() | 1;
	spin_lock_bh(&f->rnet->links_lock);
	list_add(&mine->net_node, &f->rnet->links);
	spin_unlock_bh(&f->rnet->links_lock);
	h.self_token = cpu_to_be64(mine->self_token);
	KUNIT_EXPECT_EQ(test, rsk_link_check_hello(link, &h, sizeof(h)), 0);
	spin_lock_bh(&f->rnet->links_lock);
	list_del(&mine->net_node);
	spin_unlock_bh(&f->rnet->links_lock);
	KUNIT_EXPECT_TRUE(test, link->self);
	KUNIT_EXPECT_EQ(test, link->self_token, mine->self_token);

	/* The active end: its REP must echo its own token. */
	link->active = true;
	link->self = false;
	link->self_token = mine->self_token;
	h.self_token = 0;
	KUNIT_EXPECT_EQ(test, rsk_link_check_hello(link, &h, sizeof(h)), 0);
	KUNIT_EXPECT_FALSE(test, link->self);
	h.self_token = cpu_to_be64(mine->self_token ^ 2);
	KUNIT_EXPECT_EQ(test, rsk_link_check_hello(link, &h, sizeof(h)), 0);
	KUNIT_EXPECT_FALSE(test, link->self);
	h.self_token = cpu_to_be64(mine->self_token);
	KUNIT_EXPECT_EQ(test, rsk_link_check_hello(link, &h, sizeof(h)), 0);
	KUNIT_EXPECT_TRUE(test, link->self);
	/* An old peer's 32-byte hello: no token, not self. */
	link->self = false;
	KUNIT_EXPECT_EQ(test, rsk_link_check_hello(link, &h, 32), 0);
	KUNIT_EXPECT_FALSE(test, link->self);
	link->self_token = 0;
	fake_complete(f);
}

/*
 * Whether a timer queued a CONN_REFUSE to @peer_chan for @reason (a
 * timer's sends reach the real link functions, which only queue on the
 * fake link).
 */
static bool fake_queued_refuse(struct fake_link *f, u32 peer_chan, u32 reason)
{
	const struct rsk_wire_refuse *body;
	const struct rsk_wire_hdr *hdr;
	struct rsk_tx_buf *tb;
	bool found = false;

	spin_lock_bh(&f->link->lock);
	list_for_each_entry(tb, &f->link->ctrl_queue, list) {
		hdr = (const void *)tb->buf;
		body = (const void *)(hdr + 1);
		if (hdr->type == RSK_MSG_CONN_REFUSE &&
		    be32_to_cpu(hdr->dst_chan) == peer_chan &&
		    be32_to_cpu(body->reason) == reason)
			found = true;
	}
	spin_unlock_bh(&f->link->lock);
	return found;
}

static void fake_conn_req(struct kunit *test, const struct sockaddr_in *sin,
			  u32 peer_chan)
{
	struct rsk_wire_conn conn = {
		.dst_port = sin->sin_port,
		.src_port = htons(40000 + peer_chan % 1000),
		.ip_version = 4,
	};

	memcpy(conn.dst_addr, &sin->sin_addr, 4);
	memcpy(conn.src_addr, &sin->sin_addr, 4);
	fake_rx(test, RSK_MSG_CONN_REQ, 0, 0, peer_chan, FAKE_PEER_ISN, 0,
		FAKE_PEER_WND, &conn, sizeof(conn));
}

static void fake_release_child(struct socket *child)
{
	sock_set_flag(child->sk, SOCK_LINGER);
	child->sk->sk_lingertime = 0;
	sock_release(child);
}

/*
 * A full accept queue holds requests (half-open) up to max_half_open,
 * refuses the rest (OVERFLOW), admits the oldest when accept() makes
 * room, and refuses one held past half_open_timeout_ms (TIMEOUT).
 */
static void rsk_chan_half_open(struct kunit *test)
{
	struct sockaddr_in sin = fake_sin(INADDR_LOOPBACK, FAKE_PORT);
	struct fake_link *f = test->priv;
	struct rsk_net *rnet = f->rnet;
	int max_half_open = READ_ONCE(rnet->max_half_open);
	int timeout_ms = READ_ONCE(rnet->half_open_timeout_ms);
	long overflows = fake_event(test, RSK_EV_HALF_OPEN_OVERFLOW);
	long timeouts = fake_event(test, RSK_EV_HALF_OPEN_TIMEOUTS);
	struct socket *lsock, *child1, *child2;
	struct fake_msg *m;
	int i;

	f->link->self = true;
	WRITE_ONCE(rnet->max_half_open, 1);
	WRITE_ONCE(rnet->half_open_timeout_ms, 200);
	lsock = fake_listener(test, &sin, 0);		/* one child */

	fake_conn_req(test, &sin, FAKE_PEER_CHAN);
	m = fake_pop(test);
	KUNIT_EXPECT_EQ(test, m->hdr.type, RSK_MSG_CONN_ACCEPT);
	fake_conn_req(test, &sin, FAKE_PEER_CHAN + 1);		/* held */
	KUNIT_EXPECT_TRUE(test, fake_sent_none(test));
	fake_conn_req(test, &sin, FAKE_PEER_CHAN + 2);		/* no room */
	m = fake_pop(test);
	KUNIT_EXPECT_EQ(test, m->hdr.type, RSK_MSG_CONN_REFUSE);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.dst_chan), FAKE_PEER_CHAN + 2);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(((struct rsk_wire_refuse *)m->body)->reason),
			RSK_REFUSE_OVERFLOW);
	KUNIT_EXPECT_EQ(test, fake_event(test, RSK_EV_HALF_OPEN_OVERFLOW),
			overflows + 1);

	/* accept() makes room: the held request becomes a child. */
	KUNIT_ASSERT_EQ(test, kernel_accept(lsock, &child1, O_NONBLOCK), 0);
	m = fake_pop_type(test, RSK_MSG_CONN_ACCEPT);	/* after a WINDOW */
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.dst_chan), FAKE_PEER_CHAN + 1);

	/* Held again, and refused by the timer when its time is up. */
	fake_conn_req(test, &sin, FAKE_PEER_CHAN + 3);
	KUNIT_EXPECT_TRUE(test, fake_sent_none(test));
	for (i = 0; i < 50 && !fake_queued_refuse(f, FAKE_PEER_CHAN + 3,
						  RSK_REFUSE_TIMEOUT); i++)
		msleep(20);
	KUNIT_EXPECT_TRUE(test, fake_queued_refuse(f, FAKE_PEER_CHAN + 3,
						   RSK_REFUSE_TIMEOUT));
	KUNIT_EXPECT_EQ(test, fake_event(test, RSK_EV_HALF_OPEN_TIMEOUTS),
			timeouts + 1);

	KUNIT_ASSERT_EQ(test, kernel_accept(lsock, &child2, O_NONBLOCK), 0);
	fake_release_child(child1);
	fake_release_child(child2);
	sock_release(lsock);
	WRITE_ONCE(rnet->max_half_open, max_half_open);
	WRITE_ONCE(rnet->half_open_timeout_ms, timeout_ms);
	fake_complete(f);
}

static int fake_setsockopt_int(struct socket *sock, int level, int name,
			       int val)
{
	return sock->ops->setsockopt(sock, level, name, KERNEL_SOCKPTR(&val),
				     sizeof(val));
}

/*
 * TCP keepalive on a channel: after TCP_KEEPIDLE of silence PROBEs go
 * out every TCP_KEEPINTVL; TCP_KEEPCNT unanswered ones reset the
 * channel with ETIMEDOUT, counted.
 */
static void rsk_chan_keepalive_probes(struct kunit *test)
{
	long timeouts = fake_event(test, RSK_EV_PROBE_TIMEOUTS);
	struct fake_conn c = {};
	struct sock *sk;
	int i;

	fake_connect(test, &c);
	sk = c.sock->sk;
	KUNIT_ASSERT_EQ(test, fake_setsockopt_int(c.sock, SOL_TCP,
						  TCP_KEEPIDLE, 1), 0);
	KUNIT_ASSERT_EQ(test, fake_setsockopt_int(c.sock, SOL_TCP,
						  TCP_KEEPINTVL, 1), 0);
	KUNIT_ASSERT_EQ(test, fake_setsockopt_int(c.sock, SOL_TCP,
						  TCP_KEEPCNT, 1), 0);
	sock_set_keepalive(sk);
	for (i = 0; i < 100 && READ_ONCE(sk->sk_state) != TCP_CLOSE; i++)
		msleep(50);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_state), TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, sock_error(sk), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, fake_event(test, RSK_EV_PROBE_TIMEOUTS),
			timeouts + 1);
	sock_release(c.sock);
	fake_complete(test->priv);
}

/* ---- rdma_sock.rst's "Validation" table, one case a row ---- */

enum fake_outcome {
	FAKE_DROP,		/* counted, nothing sent, the channel goes on */
	FAKE_RESET,		/* counted, RST (PROTOCOL), CLOSE, ECONNRESET */
	FAKE_REFUSE,		/* counted, CONN_REFUSE (MALFORMED) */
	FAKE_RST_NO_CHAN,	/* counted, RST (NO_CHANNEL) */
};

struct fake_row {
	const char *name;
	enum rsk_event ev;
	enum fake_outcome outcome;
	/* Make the message from a connected socket's numbers. */
	void (*send)(struct kunit *test, struct fake_conn *c);
};

static void row_short(struct kunit *test, struct fake_conn *c)
{
	u8 buf[sizeof(struct rsk_wire_hdr)] = { RSK_MSG_DATA };

	fake_rx_raw(test, buf, 23);
}

static void row_unknown_type(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, 0x7f, 0, c->chan, FAKE_PEER_CHAN, 0, 0, 0, NULL, 0);
}

static void row_not_negotiated(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, RSK_MSG_ZC_ADV, 0, c->chan, FAKE_PEER_CHAN, 0, 0, 0,
		NULL, 0);
}

static void row_link_chan(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, RSK_MSG_KEEPALIVE, 0, c->chan, 0, 0, 0, 0, NULL, 0);
}

static void row_link_len(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, RSK_MSG_LINK_CLOSE, 0, 0, 0, 0, 0, 0, "x", 1);
}

static void row_req_ids(struct kunit *test, struct fake_conn *c)
{
	struct rsk_wire_conn conn = {};

	fake_rx(test, RSK_MSG_CONN_REQ, 0, c->chan, FAKE_PEER_CHAN + 9, 0, 0,
		0, &conn, sizeof(conn));
}

static void row_req_len(struct kunit *test, struct fake_conn *c)
{
	struct rsk_wire_conn conn = {};

	fake_rx(test, RSK_MSG_CONN_REQ, 0, 0, FAKE_PEER_CHAN + 9, 0, 0, 0,
		&conn, sizeof(conn) - 1);
}

static void fake_req(struct kunit *test, struct rsk_wire_conn *conn)
{
	fake_rx(test, RSK_MSG_CONN_REQ, 0, 0, FAKE_PEER_CHAN + 9, 0, 0, 0,
		conn, sizeof(*conn));
}

static void row_req_port(struct kunit *test, struct fake_conn *c)
{
	struct rsk_wire_conn conn = { .dst_port = htons(FAKE_PORT),
				      .ip_version = 4 };

	fake_req(test, &conn);
}

static void row_req_version(struct kunit *test, struct fake_conn *c)
{
	struct rsk_wire_conn conn = { .dst_port = htons(FAKE_PORT),
				      .src_port = htons(1), .ip_version = 5 };

	fake_req(test, &conn);
}

static void row_req_mapped(struct kunit *test, struct fake_conn *c)
{
	struct rsk_wire_conn conn = { .dst_port = htons(FAKE_PORT),
				      .src_port = htons(1), .ip_version = 6 };

	conn.dst_addr[10] = 0xff;
	conn.dst_addr[11] = 0xff;
	conn.dst_addr[15] = 1;
	fake_req(test, &conn);
}

/* 127.0.0.1 from a link to another host: never. */
static void row_req_loopback(struct kunit *test, struct fake_conn *c)
{
	struct rsk_wire_conn conn = { .dst_port = htons(FAKE_PORT),
				      .src_port = htons(1), .ip_version = 4 };
	__be32 lo = htonl(INADDR_LOOPBACK);

	memcpy(conn.dst_addr, &lo, 4);
	memcpy(conn.src_addr, &lo, 4);
	fake_req(test, &conn);
}

/*
 * A source address other than the link's peer's (192.0.2.1): refused,
 * or getpeername() would tell what the peer chose.
 */
static void row_req_spoofed(struct kunit *test, struct fake_conn *c)
{
	struct rsk_wire_conn conn = { .dst_port = htons(FAKE_PORT),
				      .src_port = htons(1), .ip_version = 4 };
	__be32 dst = htonl(0xc0000202), src = htonl(0xc0000263);

	memcpy(conn.dst_addr, &dst, 4);
	memcpy(conn.src_addr, &src, 4);
	fake_req(test, &conn);
}

static void row_no_channel(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, RSK_MSG_DATA, 0, c->chan + 1000, FAKE_PEER_CHAN, 0, 0,
		0, "x", 1);
}

static void row_no_channel_rst(struct kunit *test, struct fake_conn *c)
{
	struct rsk_wire_rst rst = {};

	fake_rx(test, RSK_MSG_RST, 0, c->chan + 1000, FAKE_PEER_CHAN, 0, 0,
		0, &rst, sizeof(rst));
}

static void row_bad_len(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, RSK_MSG_WINDOW, 0, c->chan, FAKE_PEER_CHAN, c->rcv_nxt,
		c->snd_nxt, FAKE_PEER_WND, "x", 1);
}

static void row_empty_data(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, RSK_MSG_DATA, 0, c->chan, FAKE_PEER_CHAN, c->rcv_nxt,
		c->snd_nxt, FAKE_PEER_WND, NULL, 0);
}

static void row_src_mismatch(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, RSK_MSG_DATA, 0, c->chan, FAKE_PEER_CHAN + 1,
		c->rcv_nxt, c->snd_nxt, FAKE_PEER_WND, "x", 1);
}

static void row_bad_state(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, RSK_MSG_CONN_ACCEPT, 0, c->chan, FAKE_PEER_CHAN,
		c->rcv_nxt, c->snd_nxt, FAKE_PEER_WND, NULL, 0);
}

/* A second FIN (DATA after FIN is caught by the state, check 13). */
static void row_after_fin(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, RSK_MSG_FIN, 0, c->chan, FAKE_PEER_CHAN, c->rcv_nxt,
		c->snd_nxt, FAKE_PEER_WND, NULL, 0);
	fake_rx(test, RSK_MSG_FIN, 0, c->chan, FAKE_PEER_CHAN, c->rcv_nxt,
		c->snd_nxt, FAKE_PEER_WND, NULL, 0);
}

static void row_bad_ack(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, RSK_MSG_DATA, 0, c->chan, FAKE_PEER_CHAN, c->rcv_nxt,
		c->snd_nxt + 1, FAKE_PEER_WND, "x", 1);
}

static void row_bad_seq(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, RSK_MSG_DATA, 0, c->chan, FAKE_PEER_CHAN, c->rcv_nxt + 1,
		c->snd_nxt, FAKE_PEER_WND, "x", 1);
}

/* Data at the right edge we advertised: beyond the window. */
static void row_window(struct kunit *test, struct fake_conn *c)
{
	spin_lock_bh(&c->rs->lock);
	c->rs->rcv_wnd_sent = c->rs->rcv_nxt;
	spin_unlock_bh(&c->rs->lock);
	fake_rx(test, RSK_MSG_DATA, 0, c->chan, FAKE_PEER_CHAN, c->rcv_nxt,
		c->snd_nxt, FAKE_PEER_WND, "x", 1);
}

static void row_urgent(struct kunit *test, struct fake_conn *c)
{
	fake_rx(test, RSK_MSG_DATA, RSK_DATA_URG, c->chan, FAKE_PEER_CHAN,
		c->rcv_nxt, c->snd_nxt, FAKE_PEER_WND, "x", 1);
}

static const struct fake_row fake_rows[] = {
	{ "2 byte_len >= 24", RSK_EV_RX_SHORT, FAKE_DROP, row_short },
	{ "3 type known", RSK_EV_RX_UNKNOWN_TYPE, FAKE_DROP, row_unknown_type },
	{ "4 type negotiated", RSK_EV_RX_NOT_NEGOTIATED, FAKE_DROP,
	  row_not_negotiated },
	{ "5 link level: ids 0", RSK_EV_RX_LINK_CHAN, FAKE_DROP, row_link_chan },
	{ "6 link level: no body", RSK_EV_RX_BAD_LEN, FAKE_DROP, row_link_len },
	{ "7 CONN_REQ ids", RSK_EV_RX_BAD_CONN_REQ, FAKE_DROP, row_req_ids },
	{ "8 CONN_REQ body 40", RSK_EV_RX_BAD_LEN, FAKE_REFUSE, row_req_len },
	{ "9 CONN_REQ ports", RSK_EV_RX_BAD_CONN_REQ, FAKE_REFUSE,
	  row_req_port },
	{ "9 CONN_REQ ip_version", RSK_EV_RX_BAD_CONN_REQ, FAKE_REFUSE,
	  row_req_version },
	{ "9 CONN_REQ v4-mapped", RSK_EV_RX_BAD_CONN_REQ, FAKE_REFUSE,
	  row_req_mapped },
	{ "CONN_REQ loopback from another host", RSK_EV_RX_BAD_CONN_REQ,
	  FAKE_REFUSE, row_req_loopback },
	{ "9 CONN_REQ source not the link's", RSK_EV_RX_BAD_CONN_REQ,
	  FAKE_REFUSE, row_req_spoofed },
	{ "10 dst_chan exists", RSK_EV_RX_NO_CHANNEL, FAKE_RST_NO_CHAN,
	  row_no_channel },
	{ "10 no answer to RST", RSK_EV_RX_NO_CHANNEL, FAKE_DROP,
	  row_no_channel_rst },
	{ "11 body length", RSK_EV_RX_BAD_LEN, FAKE_RESET, row_bad_len },
	{ "11 DATA not empty", RSK_EV_RX_BAD_LEN, FAKE_RESET, row_empty_data },
	{ "12 src_chan", RSK_EV_RX_SRC_MISMATCH, FAKE_DROP, row_src_mismatch },
	{ "13 state", RSK_EV_RX_BAD_STATE, FAKE_RESET, row_bad_state },
	{ "14 no FIN before", RSK_EV_RX_AFTER_FIN, FAKE_RESET, row_after_fin },
	{ "15 ack", RSK_EV_RX_BAD_ACK, FAKE_RESET, row_bad_ack },
	{ "16 seq", RSK_EV_RX_BAD_SEQ, FAKE_RESET, row_bad_seq },
	{ "17 window", RSK_EV_RX_WINDOW, FAKE_RESET, row_window },
	{ "DATA urgent", RSK_EV_RX_NOT_NEGOTIATED, FAKE_DROP, row_urgent },
};

static void fake_row_desc(const struct fake_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fake_row, fake_rows, fake_row_desc);

static void rsk_chan_validation(struct kunit *test)
{
	const struct fake_row *row = test->param_value;
	struct fake_conn c = {};
	struct fake_msg *m;
	long before;

	fake_connect(test, &c);
	before = fake_event(test, row->ev);
	row->send(test, &c);
	KUNIT_EXPECT_EQ(test, fake_event(test, row->ev), before + 1);

	switch (row->outcome) {
	case FAKE_DROP:
		KUNIT_EXPECT_TRUE(test, fake_sent_none(test));
		KUNIT_EXPECT_EQ(test, c.sock->sk->sk_state, TCP_ESTABLISHED);
		break;
	case FAKE_RESET:
		m = fake_pop_type(test, RSK_MSG_RST);
		KUNIT_EXPECT_EQ(test, be32_to_cpu(((struct rsk_wire_rst *)m->body)->reason),
				RSK_RST_PROTOCOL);
		KUNIT_EXPECT_EQ(test, c.sock->sk->sk_state, TCP_CLOSE);
		KUNIT_EXPECT_EQ(test, c.sock->sk->sk_err, ECONNRESET);
		break;
	case FAKE_REFUSE:
		m = fake_pop(test);
		KUNIT_EXPECT_EQ(test, m->hdr.type, RSK_MSG_CONN_REFUSE);
		KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.dst_chan),
				FAKE_PEER_CHAN + 9);
		KUNIT_EXPECT_EQ(test, be32_to_cpu(((struct rsk_wire_refuse *)m->body)->reason),
				RSK_REFUSE_MALFORMED);
		break;
	case FAKE_RST_NO_CHAN:
		m = fake_pop(test);
		KUNIT_EXPECT_EQ(test, m->hdr.type, RSK_MSG_RST);
		KUNIT_EXPECT_EQ(test, be32_to_cpu(((struct rsk_wire_rst *)m->body)->reason),
				RSK_RST_NO_CHANNEL);
		break;
	}
	fake_forget(test->priv);
	fake_abort(test, &c);
}

/* ---- memory pressure ---- */

static struct rsk_tx_buf *fake_no_memory(u32 payload, gfp_t gfp)
{
	return NULL;
}

/*
 * The retry timer is armed; it would call the real link (timers are not
 * redirected), so it is stopped and its push made here, as it would.
 */
static void fake_retry_now(struct kunit *test, struct rsk_stream_sock *rs)
{
	struct sock *sk = &rs->base.sk;

	KUNIT_EXPECT_TRUE(test, timer_pending(&rs->tx_retry_timer));
	kunit_deactivate_static_stub(test, rsk_tx_buf_alloc);
	sk_stop_timer(sk, &rs->tx_retry_timer);
	rsk_chan_push(rs);
}

/*
 * A control message that cannot be allocated is not forgotten: FIN (and
 * so WINDOW, PROBE, CONN_REQ, all sent the same way) stays pending, is
 * counted, and the retry timer sends it.
 */
static void rsk_chan_ctrl_nomem_retried(struct kunit *test)
{
	long nomem = fake_event(test, RSK_EV_TX_NOMEM);
	struct fake_conn c;
	struct fake_msg *m;

	fake_connect(test, &c);
	kunit_activate_static_stub(test, rsk_tx_buf_alloc, fake_no_memory);
	KUNIT_EXPECT_EQ(test, kernel_sock_shutdown(c.sock, SHUT_WR), 0);
	KUNIT_EXPECT_TRUE(test, fake_sent_none(test));
	KUNIT_EXPECT_EQ(test, fake_event(test, RSK_EV_TX_NOMEM), nomem + 1);
	KUNIT_EXPECT_TRUE(test, c.rs->tx_pending & RSK_TX_FIN);
	fake_retry_now(test, c.rs);
	m = fake_pop(test);
	KUNIT_EXPECT_EQ(test, m->hdr.type, RSK_MSG_FIN);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.dst_chan), FAKE_PEER_CHAN);
	KUNIT_EXPECT_FALSE(test, c.rs->tx_pending & RSK_TX_FIN);
	fake_complete(test->priv);
	fake_abort(test, &c);
}

static int fake_link_send_nomem(struct rsk_link *link, struct rsk_tx_buf *tb,
				struct rsk_link_chan *waiter)
{
	return -ENOMEM;
}

/*
 * DATA whose post fails for want of memory (its DMA mapping, or a post
 * refused) stays queued, is counted, and the retry timer sends it:
 * before, nothing armed the timer, and with nothing else in flight the
 * stream stopped for good.
 */
static void rsk_chan_data_nomem_retried(struct kunit *test)
{
	long nomem = fake_event(test, RSK_EV_TX_NOMEM);
	struct fake_conn c;
	struct fake_msg *m;

	fake_connect(test, &c);
	kunit_activate_static_stub(test, rsk_link_send, fake_link_send_nomem);
	KUNIT_EXPECT_EQ(test, fake_send(&c, "data", 4), 4);
	KUNIT_EXPECT_TRUE(test, fake_sent_none(test));
	KUNIT_EXPECT_EQ(test, fake_event(test, RSK_EV_TX_NOMEM), nomem + 1);
	KUNIT_EXPECT_TRUE(test, timer_pending(&c.rs->tx_retry_timer));
	kunit_activate_static_stub(test, rsk_link_send, fake_link_send);
	sk_stop_timer(&c.rs->base.sk, &c.rs->tx_retry_timer);
	rsk_chan_push(c.rs);
	m = fake_pop_type(test, RSK_MSG_DATA);
	KUNIT_EXPECT_EQ(test, m->len, 4);
	KUNIT_EXPECT_EQ(test, memcmp(m->body, "data", 4), 0);
	fake_complete(test->priv);
	fake_abort(test, &c);
}

/*
 * A child whose CONN_ACCEPT cannot be allocated is kept, and answers once
 * memory is back: it used to be reset, and under a flood its ACCEPT could
 * be dropped from a full control queue, leaving it open with a peer that
 * never heard of it.
 */
static void rsk_chan_accept_nomem_retried(struct kunit *test)
{
	struct sockaddr_in sin = fake_sin(INADDR_LOOPBACK, FAKE_PORT);
	struct socket *lsock, *child;
	struct fake_msg *m;

	((struct fake_link *)test->priv)->link->self = true;
	lsock = fake_listener(test, &sin, 4);
	kunit_activate_static_stub(test, rsk_tx_buf_alloc, fake_no_memory);
	fake_conn_req(test, &sin, FAKE_PEER_CHAN);
	KUNIT_EXPECT_TRUE(test, fake_sent_none(test));
	KUNIT_ASSERT_EQ(test, kernel_accept(lsock, &child, O_NONBLOCK), 0);
	KUNIT_EXPECT_EQ(test, child->sk->sk_state, TCP_ESTABLISHED);
	fake_retry_now(test, rsk_stream_sk(child->sk));
	m = fake_pop(test);
	KUNIT_EXPECT_EQ(test, m->hdr.type, RSK_MSG_CONN_ACCEPT);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.dst_chan), FAKE_PEER_CHAN);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.ack), FAKE_PEER_ISN);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.src_chan),
			rsk_stream_sk(child->sk)->chan.id);
	fake_release_child(child);
	sock_release(lsock);
	fake_complete(test->priv);
}

/* ---- receive memory ---- */

/*
 * A peer sending one byte per message to a child nobody accepted: the
 * child advertised 64 KiB, not its SO_RCVBUF, and the bytes share
 * allocations instead of costing one each (a thousand messages used to
 * pin a thousand 64-byte allocations; a full accept queue, 13 MB per
 * child).  They read back in order; accept() opens the window with a
 * WINDOW.
 */
static void rsk_chan_small_data_memory(struct kunit *test)
{
	struct sockaddr_in sin = fake_sin(INADDR_LOOPBACK, FAKE_PORT);
	int chunks0 = atomic_read(&rsk_counters.rx_chunks);
	const int n = 1000;
	struct socket *lsock, *child;
	struct rsk_stream_sock *rs;
	struct fake_msg *m;
	u32 ours, wnd;
	u8 *buf;
	int i;

	((struct fake_link *)test->priv)->link->self = true;
	lsock = fake_listener(test, &sin, 4);
	/* A large buffer, as a server would set: the child still gets less. */
	sock_set_rcvbuf(lsock->sk, 1 << 20);
	fake_conn_req(test, &sin, FAKE_PEER_CHAN);
	m = fake_pop(test);
	KUNIT_ASSERT_EQ(test, m->hdr.type, RSK_MSG_CONN_ACCEPT);
	ours = be32_to_cpu(m->hdr.src_chan);
	wnd = be32_to_cpu(m->hdr.wnd);
	KUNIT_EXPECT_EQ(test, wnd, RSK_CHILD_RCV_SPACE);
	fake_complete(test->priv);

	for (i = 0; i < n; i++) {
		u8 byte = i;

		fake_rx(test, RSK_MSG_DATA, 0, ours, FAKE_PEER_CHAN,
			FAKE_PEER_ISN + i, be32_to_cpu(m->hdr.seq), FAKE_PEER_WND,
			&byte, 1);
	}
	/* A thousand bytes in two allocations at most, not a thousand. */
	KUNIT_EXPECT_LE(test, atomic_read(&rsk_counters.rx_chunks) - chunks0, 2);
	fake_forget(test->priv);

	KUNIT_ASSERT_EQ(test, kernel_accept(lsock, &child, O_NONBLOCK), 0);
	rs = rsk_stream_sk(child->sk);
	m = fake_pop_type(test, RSK_MSG_WINDOW);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(m->hdr.ack) + be32_to_cpu(m->hdr.wnd),
			FAKE_PEER_ISN + (u32)rsk_rcvbuf(&rs->base));
	buf = kunit_kzalloc(test, n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	{
		struct kvec iov = { .iov_base = buf, .iov_len = n };
		struct msghdr msg = {};

		KUNIT_EXPECT_EQ(test, kernel_recvmsg(child, &msg, &iov, 1, n,
						     MSG_DONTWAIT), n);
	}
	for (i = 0; i < n; i++)
		if (buf[i] != (u8)i)
			break;
	KUNIT_EXPECT_EQ(test, i, n);
	KUNIT_EXPECT_EQ(test, atomic_read(&rsk_counters.rx_chunks), chunks0);
	fake_release_child(child);
	sock_release(lsock);
	fake_complete(test->priv);
}

/*
 * MSG_PEEK over data in several chunks returns each byte once, in order
 * (before, a peek past the second chunk started again inside it).
 */
static void rsk_chan_peek_across_chunks(struct kunit *test)
{
	const int msgs = 20, size = 128, n = msgs * size;
	int chunks0 = atomic_read(&rsk_counters.rx_chunks);
	struct fake_conn c = {};
	u8 body[128], *buf;
	int i, pass;

	fake_connect(test, &c);
	for (i = 0; i < msgs; i++) {
		memset(body, i, size);
		fake_rx(test, RSK_MSG_DATA, 0, c.chan, FAKE_PEER_CHAN,
			c.rcv_nxt, c.snd_nxt, FAKE_PEER_WND, body, size);
		c.rcv_nxt += size;
	}
	/* More than two chunks, or this tests nothing. */
	KUNIT_ASSERT_GE(test, atomic_read(&rsk_counters.rx_chunks) - chunks0, 3);
	buf = kunit_kzalloc(test, n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (pass = 0; pass < 2; pass++) {	/* a peek, then the read */
		struct kvec iov = { .iov_base = buf, .iov_len = n };
		struct msghdr msg = {};

		memset(buf, 0xff, n);
		KUNIT_EXPECT_EQ(test, kernel_recvmsg(c.sock, &msg, &iov, 1, n,
						     MSG_DONTWAIT |
						     (pass ? 0 : MSG_PEEK)), n);
		for (i = 0; i < n; i++)
			if (buf[i] != i / size)
				break;
		KUNIT_EXPECT_EQ_MSG(test, i, n, "pass %d: byte %d", pass, i);
	}
	fake_forget(test->priv);
	fake_abort(test, &c);
}

/* ---- a fuzz of the receive path ---- */

/*
 * rsk_chan_fuzz: messages from the peer, well formed, nearly so or not at
 * all, interleaved with what an application does (connect, accept, send,
 * receive, shut down, close), all from one seeded generator.  After every
 * step the invariants hold for every stream socket there is:
 *  - the bytes queued to read are at most the receive buffer the window
 *    covers plus one message;
 *  - what the socket is charged (sk_rmem_alloc) is what its queued chunks
 *    say, each chunk is charged at least what was allocated for it, and
 *    the module-wide count of chunks is the sum over the sockets;
 *  - a channel on the link is never closed, and a closed one has nothing
 *    left to send and no retry timer;
 *  - every byte read is the one the peer sent to that socket's channel at
 *    that stream offset (the payload is a hash of the channel pair and
 *    the offset): nothing lands in the wrong socket, no hole, no repeat.
 * At the end of each round everything is closed or reset by the peer,
 * and nothing may be left: no channel, no chunk, no link reference.
 */
#define FUZZ_ROUND	500	/* steps between clean slates */
#define FUZZ_HELD	8	/* sockets the application holds */
#define FUZZ_SEEN	256	/* sockets whose channel pair is known */
#define FUZZ_ALL	384	/* sockets checked after a step */
#define FUZZ_LONGER	16	/* a message may be this much longer than built */
#define FUZZ_MOST	(RSK_RX_BUF_SIZE - sizeof(struct rsk_wire_hdr))

struct fuzz_seen {
	struct sock *sk;	/* referenced */
	u32 id, peer;		/* the channel pair its data was sent on */
};

struct fuzz {
	struct kunit *test;
	struct fake_link *f;
	struct rnd_state rnd;
	struct socket *lsock;
	struct socket *held[FUZZ_HELD];
	struct fuzz_seen seen[FUZZ_SEEN];
	struct rsk_stream_sock *all[FUZZ_ALL];	/* referenced, this step */
	int nall;
	struct page *page;	/* the next "SRQ buffer" */
	u8 *msg;		/* the message being built */
	u8 *rbuf;		/* what recv() gave */
	bool seen_full;		/* some socket's pair was not kept */
	u32 next_peer_chan;
	int chunks0;
	unsigned int step;
	const char *what;	/* the step, for a failure's message */
	/* the first invariant that broke (fuzz_fail()) */
	const char *why, *why_what;
	unsigned int why_step;
	long why_a, why_b;
	/* what the run did, so that a run that tested little shows */
	unsigned long msgs, read, accepted, most_chans;
};

/* The target of a peer message: a channel on the link, as it stands. */
struct fuzz_target {
	struct rsk_stream_sock *rs;	/* referenced, or NULL */
	u32 id, peer, rcv_nxt, room, snd_nxt, snd_una;
	int state;
};

static u32 fuzz_below(struct fuzz *z, u32 n)
{
	return rsk_test_below(&z->rnd, n);
}

static bool fuzz_chance(struct fuzz *z, u32 pct)
{
	return rsk_test_chance(&z->rnd, pct);
}

/* The payload byte the peer sends at stream offset @seq of a pair. */
static u8 fuzz_byte(u32 dst, u32 src, u32 seq)
{
	return jhash_3words(dst, src, seq, 0x5eed);
}

/*
 * An invariant broke: kept (the first only) and reported by the round
 * once no lock is held, since KUNIT_FAIL() allocates.
 */
static bool fuzz_fail(struct fuzz *z, const char *why, long a, long b)
{
	if (!z->why) {
		z->why = why;
		z->why_step = z->step;
		z->why_what = z->what;
		z->why_a = a;
		z->why_b = b;
	}
	return false;
}

static void fuzz_report(struct fuzz *z)
{
	if (z->why)
		KUNIT_FAIL(z->test, "step %u (%s): %s (%ld, %ld)", z->why_step,
			   z->why_what, z->why, z->why_a, z->why_b);
}

/* Remember which channel pair @rs's data comes on. */
static void fuzz_saw(struct fuzz *z, struct rsk_stream_sock *rs, u32 id,
		     u32 peer)
{
	struct fuzz_seen *free = NULL;
	int i;

	if (!id || !peer)
		return;
	for (i = 0; i < FUZZ_SEEN; i++) {
		if (z->seen[i].sk == &rs->base.sk) {
			z->seen[i].id = id;
			z->seen[i].peer = peer;
			return;
		}
		if (!z->seen[i].sk && !free)
			free = &z->seen[i];
	}
	if (!free) {
		z->seen_full = true;	/* its data cannot be verified */
		return;
	}
	sock_hold(&rs->base.sk);
	*free = (struct fuzz_seen){ &rs->base.sk, id, peer };
}

static const struct fuzz_seen *fuzz_seen_of(struct fuzz *z, struct sock *sk)
{
	int i;

	for (i = 0; i < FUZZ_SEEN; i++)
		if (z->seen[i].sk == sk)
			return &z->seen[i];
	return NULL;
}

static void fuzz_forget_seen(struct fuzz *z)
{
	int i;

	for (i = 0; i < FUZZ_SEEN; i++) {
		if (z->seen[i].sk)
			sock_put(z->seen[i].sk);
		z->seen[i].sk = NULL;
	}
	z->seen_full = false;
}

/* The @k-th channel on the link, referenced; or NULL. */
static struct rsk_stream_sock *fuzz_chan_nth(struct fuzz *z, int k)
{
	struct rsk_link *link = z->f->link;
	struct rsk_stream_sock *rs = NULL;
	struct rsk_link_chan *chan;
	int id;

	spin_lock_bh(&link->lock);
	idr_for_each_entry(&link->chans, chan, id) {
		if (k-- == 0) {
			rs = container_of(chan, struct rsk_stream_sock, chan);
			sock_hold(&rs->base.sk);
			break;
		}
	}
	spin_unlock_bh(&link->lock);
	return rs;
}

static int fuzz_chan_count(struct fuzz *z)
{
	struct rsk_link *link = z->f->link;
	struct rsk_link_chan *chan;
	int id, n = 0;

	spin_lock_bh(&link->lock);
	idr_for_each_entry(&link->chans, chan, id)
		n++;
	spin_unlock_bh(&link->lock);
	return n;
}

/* A channel to aim at (one time in ten none), as it stands now. */
static void fuzz_pick(struct fuzz *z, struct fuzz_target *t)
{
	int n = fuzz_chan_count(z);
	struct rsk_stream_sock *rs;

	memset(t, 0, sizeof(*t));
	if (!n || fuzz_chance(z, 10))
		return;
	rs = fuzz_chan_nth(z, fuzz_below(z, n));
	if (!rs)
		return;
	spin_lock_bh(&rs->lock);
	t->id = rs->chan.id;
	t->peer = rs->peer_chan;
	t->rcv_nxt = rs->rcv_nxt;
	t->room = rs->rcv_wnd_sent - rs->rcv_nxt;
	t->snd_nxt = rs->snd_nxt;
	t->snd_una = rs->snd_una;
	t->state = rs->base.sk.sk_state;
	spin_unlock_bh(&rs->lock);
	t->rs = rs;
	fuzz_saw(z, rs, t->id, t->peer);
}

static u32 fuzz_u32_near(struct fuzz *z, u32 right, u32 spread)
{
	u32 r = fuzz_below(z, 100);

	if (r < 75)
		return right;
	if (r < 90)
		return right + fuzz_below(z, 2 * spread + 1) - spread;
	return prandom_u32_state(&z->rnd);
}

static u8 fuzz_type(struct fuzz *z)
{
	static const u8 types[] = {
		RSK_MSG_DATA, RSK_MSG_DATA, RSK_MSG_DATA, RSK_MSG_DATA,
		RSK_MSG_DATA, RSK_MSG_DATA, RSK_MSG_WINDOW, RSK_MSG_WINDOW,
		RSK_MSG_CONN_REQ, RSK_MSG_CONN_REQ, RSK_MSG_CONN_ACCEPT,
		RSK_MSG_CONN_REFUSE, RSK_MSG_FIN, RSK_MSG_RST, RSK_MSG_PROBE,
		RSK_MSG_ZC_ADV, RSK_MSG_ZC_DONE, RSK_MSG_RESYNC,
	};
	u8 type;

	if (!fuzz_chance(z, 5))
		return types[fuzz_below(z, ARRAY_SIZE(types))];
	/* Anything but the link's own messages, which no fake link takes. */
	do {
		type = fuzz_below(z, 256);
	} while (type >= RSK_MSG_KEEPALIVE && type <= RSK_MSG_LINK_PROOF);
	return type;
}

/* A CONN_REQ's body: for the listener, mostly, and from the link's host. */
static u32 fuzz_conn_body(struct fuzz *z, struct rsk_wire_conn *conn)
{
	__be32 lo = htonl(INADDR_LOOPBACK);

	memset(conn, 0, sizeof(*conn));
	conn->dst_port = fuzz_chance(z, 85) ? htons(FAKE_PORT) :
			 (__force __be16)fuzz_below(z, 65536);
	conn->src_port = fuzz_chance(z, 95) ? htons(40000 + fuzz_below(z, 999)) :
			 0;
	conn->ip_version = fuzz_chance(z, 90) ? 4 :
			   fuzz_chance(z, 50) ? 6 : fuzz_below(z, 256);
	memcpy(conn->dst_addr, &lo, 4);
	memcpy(conn->src_addr, &lo, 4);
	if (fuzz_chance(z, 10))
		prandom_bytes_state(&z->rnd, conn->dst_addr, 16);
	if (fuzz_chance(z, 10))
		prandom_bytes_state(&z->rnd, conn->src_addr, 16);
	if (fuzz_chance(z, 5))
		conn->reserved[0] = 1;
	return fuzz_chance(z, 92) ? sizeof(*conn) : fuzz_below(z, 64);
}

/* How long a DATA payload is: mostly what the window takes. */
static u32 fuzz_data_len(struct fuzz *z, const struct fuzz_target *t)
{
	u32 most = FUZZ_MOST;
	u32 r = fuzz_below(z, 100), len;

	if (r < 5)
		return 0;
	if (r < 55)
		len = 1 + fuzz_below(z, 64);
	else if (r < 80)
		len = 65 + fuzz_below(z, 2048);
	else
		len = 2113 + fuzz_below(z, most - 2112);
	if (t->room && fuzz_chance(z, 85))
		len = min(len, t->room);
	return len;
}

static void fuzz_payload(u8 *p, u32 len, u32 dst, u32 src, u32 seq)
{
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = fuzz_byte(dst, src, seq + i);
}

/* The body of a message of @type; returns its length. */
static u32 fuzz_body(struct fuzz *z, const struct fuzz_target *t,
		     struct rsk_wire_hdr *hdr, u8 *body)
{
	u32 len;

	switch (hdr->type) {
	case RSK_MSG_DATA:
		len = fuzz_data_len(z, t);
		/* And past it: the message may be said to be longer. */
		fuzz_payload(body, min_t(u32, len + FUZZ_LONGER, FUZZ_MOST),
			     be32_to_cpu(hdr->dst_chan),
			     be32_to_cpu(hdr->src_chan),
			     be32_to_cpu(hdr->seq));
		return len;
	case RSK_MSG_CONN_REQ:
		return fuzz_conn_body(z, (struct rsk_wire_conn *)body);
	case RSK_MSG_CONN_REFUSE:
	case RSK_MSG_RST:
		*(__be32 *)body = htonl(fuzz_below(z, 7));
		return fuzz_chance(z, 90) ? 4 : fuzz_below(z, 9);
	default:
		len = fuzz_chance(z, 85) ? 0 : fuzz_below(z, 24);
		prandom_bytes_state(&z->rnd, body, len);
		return len;
	}
}

/* The header: at @t mostly, with the numbers it expects mostly. */
static void fuzz_hdr(struct fuzz *z, const struct fuzz_target *t,
		     struct rsk_wire_hdr *hdr)
{
	static const u32 wnds[] = { 65536, 65536, 65536, 0, 1, 4096,
				    1 << 20, 0xffffffff };

	memset(hdr, 0, sizeof(*hdr));
	hdr->type = fuzz_type(z);
	if (fuzz_chance(z, 8))
		hdr->flags = fuzz_below(z, 256);
	if (hdr->type == RSK_MSG_CONN_REQ) {
		/* A new channel of the peer's, now and then one it has. */
		hdr->dst_chan = htonl(fuzz_chance(z, 90) ? 0 : t->id);
		hdr->src_chan = htonl(fuzz_chance(z, 85) ? z->next_peer_chan++ :
				      t->peer);
	} else {
		hdr->dst_chan = htonl(fuzz_chance(z, 92) ? t->id :
				      fuzz_below(z, 64));
		hdr->src_chan = htonl(fuzz_chance(z, 92) ? t->peer :
				      fuzz_below(z, 64));
	}
	if (hdr->type == RSK_MSG_CONN_ACCEPT && !t->peer)
		hdr->src_chan = htonl(z->next_peer_chan++);
	hdr->seq = htonl(fuzz_u32_near(z, t->rcv_nxt, 64));
	hdr->ack = htonl(fuzz_chance(z, 15) ?
			 t->snd_una + fuzz_below(z, t->snd_nxt - t->snd_una + 1) :
			 fuzz_u32_near(z, t->snd_nxt, 64));
	hdr->wnd = htonl(wnds[fuzz_below(z, ARRAY_SIZE(wnds))]);
}

/* Hand the message to the link as a receive completion would. */
static void fuzz_deliver(struct fuzz *z, u32 byte_len)
{
	struct ib_wc wc = { .status = IB_WC_SUCCESS, .byte_len = byte_len };
	struct rsk_rx_buf rxb = {};
	bool taken;

	rxb.page = z->page;
	memcpy(page_address(rxb.page), z->msg,
	       min_t(u32, byte_len, RSK_RX_BUF_SIZE));
	local_bh_disable();
	taken = rsk_link_rx(&z->f->link->cq, &rxb, &wc);
	local_bh_enable();
	if (!taken)
		return;
	/* Queued where it lay: the "SRQ" gets a new page. */
	z->page = alloc_pages(GFP_KERNEL | __GFP_COMP, RSK_RX_ORDER);
	KUNIT_ASSERT_NOT_NULL(z->test, z->page);
}

/*
 * What a message added to its target's stream: nothing, or exactly its
 * payload at exactly the sequence number the stream was at.
 */
static bool fuzz_check_taken(struct fuzz *z, const struct fuzz_target *t,
			     const struct rsk_wire_hdr *hdr, u32 byte_len)
{
	u32 rcv_nxt;

	spin_lock_bh(&t->rs->lock);
	rcv_nxt = t->rs->rcv_nxt;
	spin_unlock_bh(&t->rs->lock);
	/* An ACCEPT sets where the stream starts. */
	if (rcv_nxt == t->rcv_nxt || t->state == TCP_SYN_SENT)
		return true;
	if (hdr->type != RSK_MSG_DATA ||
	    be32_to_cpu(hdr->dst_chan) != t->id ||
	    be32_to_cpu(hdr->seq) != t->rcv_nxt ||
	    rcv_nxt - t->rcv_nxt != byte_len - sizeof(*hdr)) {
		return fuzz_fail(z, "stream moved by other than a DATA's payload",
				 rcv_nxt - t->rcv_nxt, hdr->type);
	}
	return true;
}

static void fuzz_peer_msg(struct fuzz *z)
{
	struct rsk_wire_hdr *hdr = (void *)z->msg;
	struct fuzz_target t;
	u32 len, byte_len;

	fuzz_pick(z, &t);
	fuzz_hdr(z, &t, hdr);
	len = fuzz_body(z, &t, hdr, (u8 *)(hdr + 1));
	byte_len = sizeof(*hdr) + len;
	if (fuzz_chance(z, 3))
		byte_len = fuzz_below(z, byte_len + FUZZ_LONGER + 1);
	z->what = "peer message";
	z->msgs++;
	byte_len = min_t(u32, byte_len, RSK_RX_BUF_SIZE);
	fuzz_deliver(z, byte_len);
	if (t.rs) {
		fuzz_check_taken(z, &t, hdr, byte_len);
		sock_put(&t.rs->base.sk);
	}
}

/* ---- what the application does ---- */

static struct socket **fuzz_held_slot(struct fuzz *z, bool want_empty)
{
	int i = fuzz_below(z, FUZZ_HELD), n;

	for (n = 0; n < FUZZ_HELD; n++, i = (i + 1) % FUZZ_HELD)
		if (!z->held[i] == want_empty)
			return &z->held[i];
	return NULL;
}

static void fuzz_close(struct fuzz *z, struct socket **slot, bool abort)
{
	struct socket *sock = *slot;

	*slot = NULL;
	if (abort) {
		sock_set_flag(sock->sk, SOCK_LINGER);
		sock->sk->sk_lingertime = 0;
	}
	sock_release(sock);
}

static void fuzz_connect(struct fuzz *z)
{
	struct socket **slot = fuzz_held_slot(z, true);
	struct sockaddr_in sin = fake_sin(0xc0000201, FAKE_PORT);
	int err;

	if (!slot)
		return;
	z->what = "connect";
	*slot = fake_socket(z->test);
	err = kernel_connect(*slot, (struct sockaddr *)&sin, sizeof(sin),
			     O_NONBLOCK);
	if (err != -EINPROGRESS)
		fuzz_close(z, slot, true);
}

static void fuzz_accept(struct fuzz *z)
{
	struct socket **slot = fuzz_held_slot(z, true);
	struct socket *child;

	if (!slot)
		return;
	z->what = "accept";
	if (kernel_accept(z->lsock, &child, O_NONBLOCK) == 0) {
		*slot = child;
		z->accepted++;
	}
}

/*
 * A byte read was not the one sent: say which known pair, and which
 * offset near the read, the bytes from @i on were sent as, if any.
 */
static void fuzz_explain(struct fuzz *z, const struct fuzz_seen *seen,
			 u32 from, int i, int n)
{
	int k, d, j, len = min(16, n - i);

	kunit_info(z->test, "read %d from %u, pair %u/%u, bad at %d\n", n,
		   from, seen->id, seen->peer, i);
	for (k = 0; k < FUZZ_SEEN; k++) {
		const struct fuzz_seen *o = &z->seen[k];

		if (!o->sk)
			continue;
		cond_resched();
		for (d = -(int)FUZZ_MOST; d <= (int)FUZZ_MOST; d++) {
			for (j = 0; j < len; j++)
				if (z->rbuf[i + j] !=
				    fuzz_byte(o->id, o->peer, from + i + d + j))
					break;
			if (j == len)
				kunit_info(z->test, "  matches pair %u/%u at offset %+d (sk %s)\n",
					   o->id, o->peer, d, o == seen ? "same" : "other");
		}
	}
}

static bool fuzz_verify_read(struct fuzz *z, struct sock *sk, u32 from,
			     int n)
{
	const struct fuzz_seen *seen = fuzz_seen_of(z, sk);
	int i;

	if (n <= 0)
		return true;
	if (!seen && z->seen_full)
		return true;
	if (!seen)
		return fuzz_fail(z, "data read from a socket no data was sent to",
				 n, 0);
	for (i = 0; i < n; i++)
		if (z->rbuf[i] != fuzz_byte(seen->id, seen->peer, from + i)) {
			fuzz_explain(z, seen, from, i, n);
			return fuzz_fail(z, "byte read is not the one sent",
					 i, n);
		}
	z->read += n;
	return true;
}

static bool fuzz_recv(struct fuzz *z)
{
	struct socket **slot = fuzz_held_slot(z, false);
	struct msghdr msg = {};
	struct rsk_stream_sock *rs;
	struct kvec iov;
	u32 from;
	int n;

	if (!slot)
		return true;
	z->what = "recv";
	rs = rsk_stream_sk((*slot)->sk);
	spin_lock_bh(&rs->lock);
	from = rs->rcv_nxt - rs->rcv_queued;
	if (rs->chan.id)
		fuzz_saw(z, rs, rs->chan.id, rs->peer_chan);
	spin_unlock_bh(&rs->lock);
	iov.iov_base = z->rbuf;
	iov.iov_len = 1 + fuzz_below(z, fuzz_chance(z, 50) ? 64 : 65536);
	n = kernel_recvmsg(*slot, &msg, &iov, 1, iov.iov_len, MSG_DONTWAIT |
			   (fuzz_chance(z, 15) ? MSG_PEEK : 0));
	return fuzz_verify_read(z, (*slot)->sk, from, n);
}

static void fuzz_send(struct fuzz *z)
{
	struct socket **slot = fuzz_held_slot(z, false);
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec iov = { .iov_base = z->rbuf };

	if (!slot)
		return;
	z->what = "send";
	iov.iov_len = 1 + fuzz_below(z, fuzz_chance(z, 70) ? 256 : 65536);
	kernel_sendmsg(*slot, &msg, &iov, 1, iov.iov_len);
}

static void fuzz_app(struct fuzz *z)
{
	struct socket **slot;
	u32 r = fuzz_below(z, 100);

	if (r < 30) {
		if (!fuzz_recv(z))
			return;
	} else if (r < 45) {
		fuzz_send(z);
	} else if (r < 58) {
		fuzz_accept(z);
	} else if (r < 68) {
		fuzz_connect(z);
	} else if (r < 73) {
		slot = fuzz_held_slot(z, false);
		z->what = "shutdown";
		if (slot)
			kernel_sock_shutdown(*slot, fuzz_chance(z, 50) ?
					     SHUT_WR : SHUT_RDWR);
	} else if (r < 80) {
		slot = fuzz_held_slot(z, false);
		z->what = "close";
		if (slot)
			fuzz_close(z, slot, fuzz_chance(z, 40));
	} else if (r < 95) {
		fake_complete(z->f);	/* sends complete */
	} else {
		fake_forget(z->f);
	}
}

/* ---- the invariants ---- */

static void fuzz_add(struct fuzz *z, struct rsk_stream_sock *rs)
{
	int i;

	for (i = 0; i < z->nall; i++)
		if (z->all[i] == rs)
			return;
	if (z->nall == FUZZ_ALL)
		return;
	sock_hold(&rs->base.sk);
	z->all[z->nall++] = rs;
}

/*
 * Every stream socket there is: on the link, held, waiting for accept,
 * or kept alive by the reference the table of pairs holds (a socket
 * closed after a reset, its unread data freed only with it).
 */
static void fuzz_gather(struct fuzz *z)
{
	struct rsk_stream_sock *rs, *listener;
	int i;

	z->nall = 0;
	for (i = 0; (rs = fuzz_chan_nth(z, i)); i++) {
		fuzz_add(z, rs);
		sock_put(&rs->base.sk);
	}
	for (i = 0; i < FUZZ_HELD; i++)
		if (z->held[i])
			fuzz_add(z, rsk_stream_sk(z->held[i]->sk));
	for (i = 0; i < FUZZ_SEEN; i++)
		if (z->seen[i].sk)
			fuzz_add(z, rsk_stream_sk(z->seen[i].sk));
	if (!z->lsock)
		return;
	listener = rsk_stream_sk(z->lsock->sk);
	spin_lock_bh(&listener->lock);
	list_for_each_entry(rs, &listener->accept_queue, accept_node)
		fuzz_add(z, rs);
	spin_unlock_bh(&listener->lock);
}

static void fuzz_ungather(struct fuzz *z)
{
	while (z->nall)
		sock_put(&z->all[--z->nall]->base.sk);
}

/* The receive queue of @rs against its charges; adds its chunks. */
static bool fuzz_check_rx(struct fuzz *z, struct rsk_stream_sock *rs,
			  int *chunks)
{
	u32 most = RSK_RX_BUF_SIZE - sizeof(struct rsk_wire_hdr);
	u32 queued = 0, charged = 0;
	struct rsk_rx_chunk *chunk;

	list_for_each_entry(chunk, &rs->rx_queue, list) {
		queued += chunk->len;
		charged += chunk->truesize;
		(*chunks)++;
		if (chunk->page ?
		    chunk->truesize < sizeof(*chunk) + RSK_RX_BUF_SIZE :
		    (chunk->truesize < ksize(chunk) ||
		     chunk->off + chunk->len > chunk->cap))
			return fuzz_fail(z, "chunk charged less than allocated",
					 chunk->truesize, chunk->len);
	}
	if (queued != rs->rcv_queued)
		return fuzz_fail(z, "queued bytes", queued, rs->rcv_queued);
	if (charged != atomic_read(&rs->base.sk.sk_rmem_alloc))
		return fuzz_fail(z, "bytes charged", charged,
				 atomic_read(&rs->base.sk.sk_rmem_alloc));
	if (rs->rcv_queued > rsk_rcvbuf(&rs->base) + most)
		return fuzz_fail(z, "queued past the receive buffer",
				 rs->rcv_queued, rsk_rcvbuf(&rs->base));
	if (rs->unaccepted && rs->rcv_queued > RSK_CHILD_RCV_SPACE + most)
		return fuzz_fail(z, "unaccepted child queued past its space",
				 rs->rcv_queued, RSK_CHILD_RCV_SPACE);
	return true;
}

/* A closed channel has let go of everything. */
static bool fuzz_check_closed(struct fuzz *z, struct rsk_stream_sock *rs)
{
	if (rs->base.sk.sk_state != TCP_CLOSE)
		return true;
	if (rs->chan.id)
		return fuzz_fail(z, "closed channel still on the link",
				 rs->chan.id, 0);
	if (rs->tx_pending || !list_empty(&rs->write_queue) || rs->wq_bytes)
		return fuzz_fail(z, "closed channel has something to send",
				 rs->tx_pending, rs->wq_bytes);
	if (timer_pending(&rs->tx_retry_timer))
		return fuzz_fail(z, "closed channel will retry", 0, 0);
	return true;
}

static bool fuzz_check(struct fuzz *z)
{
	int i, chunks = 0;
	bool ok = true;

	fuzz_gather(z);
	z->most_chans = max_t(unsigned long, z->most_chans, fuzz_chan_count(z));
	for (i = 0; ok && i < z->nall; i++) {
		struct rsk_stream_sock *rs = z->all[i];

		spin_lock_bh(&rs->lock);
		ok = fuzz_check_rx(z, rs, &chunks) &&
		     fuzz_check_closed(z, rs);
		spin_unlock_bh(&rs->lock);
	}
	if (ok && z->nall < FUZZ_ALL &&
	    atomic_read(&rsk_counters.rx_chunks) - z->chunks0 != chunks)
		ok = fuzz_fail(z, "chunks counted module-wide",
			       atomic_read(&rsk_counters.rx_chunks) - z->chunks0,
			       chunks);
	fuzz_ungather(z);
	return ok;
}

/* ---- rounds ---- */

/*
 * The peer resets the first channel left on the link (an orphan waiting
 * for its FIN, a child nobody accepted); false when there is none.
 */
static bool fuzz_reset_one(struct fuzz *z)
{
	struct rsk_wire_hdr *hdr = (void *)z->msg;
	struct rsk_stream_sock *rs = fuzz_chan_nth(z, 0);

	if (!rs)
		return false;
	memset(hdr, 0, sizeof(*hdr));
	hdr->type = RSK_MSG_RST;
	spin_lock_bh(&rs->lock);
	hdr->dst_chan = htonl(rs->chan.id);
	hdr->src_chan = htonl(rs->peer_chan);
	spin_unlock_bh(&rs->lock);
	*(__be32 *)(hdr + 1) = htonl(RSK_RST_ABORT);
	sock_put(&rs->base.sk);
	fuzz_deliver(z, sizeof(*hdr) + sizeof(struct rsk_wire_rst));
	fake_complete(z->f);
	return true;
}

static void fuzz_round_end(struct fuzz *z)
{
	int i;

	z->what = "round end";
	for (i = 0; i < FUZZ_HELD; i++)
		if (z->held[i])
			fuzz_close(z, &z->held[i], true);
	sock_release(z->lsock);
	z->lsock = NULL;
	fake_complete(z->f);
	for (i = 0; i < 2 * FUZZ_ALL && fuzz_reset_one(z); i++)
		;
	fake_complete(z->f);
	fake_forget(z->f);
	fuzz_forget_seen(z);
	KUNIT_EXPECT_EQ(z->test, fuzz_chan_count(z), 0);
	KUNIT_EXPECT_EQ(z->test, atomic_read(&rsk_counters.rx_chunks),
			z->chunks0);
}

static void fuzz_round(struct fuzz *z, unsigned int steps)
{
	struct sockaddr_in sin = fake_sin(INADDR_LOOPBACK, FAKE_PORT);
	unsigned int i;

	z->lsock = fake_listener(z->test, &sin, 1 + fuzz_below(z, 4));
	for (i = 0; i < steps; i++, z->step++) {
		if (fuzz_chance(z, 60))
			fuzz_peer_msg(z);
		else
			fuzz_app(z);
		if (z->why || !fuzz_check(z))
			break;
	}
	fuzz_report(z);
	fuzz_round_end(z);
}

/* rsk_rx_buf_take_page() with no device: the page, nothing to unmap. */
static struct page *fuzz_take_page(struct rsk_rx_buf *rxb)
{
	struct page *page = rxb->page;

	rxb->page = NULL;
	return page;
}

static void rsk_chan_fuzz(struct kunit *test)
{
	unsigned int left = rsk_test_fuzz_steps();
	struct fuzz *z = kunit_kzalloc(test, sizeof(*z), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, z);
	z->test = test;
	z->f = test->priv;
	z->f->link->self = true;	/* requests to 127.0.0.1 are taken */
	z->msg = kunit_kzalloc(test, RSK_RX_BUF_SIZE, GFP_KERNEL);
	z->rbuf = kunit_kzalloc(test, 65536, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, z->msg);
	KUNIT_ASSERT_NOT_NULL(test, z->rbuf);
	z->page = alloc_pages(GFP_KERNEL | __GFP_COMP, RSK_RX_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, z->page);
	kunit_activate_static_stub(test, rsk_rx_buf_take_page,
				   fuzz_take_page);
	rsk_test_fuzz_seed(test, &z->rnd, 1);
	z->next_peer_chan = 9000;
	z->chunks0 = atomic_read(&rsk_counters.rx_chunks);
	while (left && !z->why) {
		unsigned int steps = min_t(unsigned int, left, FUZZ_ROUND);

		fuzz_round(z, steps);
		left -= steps;
	}
	__free_pages(z->page, RSK_RX_ORDER);
	kunit_info(test, "%u steps: %lu peer messages, %lu bytes read and checked, %lu accepted, at most %lu channels\n",
		   z->step, z->msgs, z->read, z->accepted, z->most_chans);
	/* A run that read nothing or accepted nothing tested little. */
	KUNIT_EXPECT_GT(test, z->read, 0);
	KUNIT_EXPECT_GT(test, z->accepted, 0);
}

static struct kunit_case rsk_chan_cases[] = {
	KUNIT_CASE(rsk_chan_seq_wrap),
	KUNIT_CASE(rsk_chan_ack_and_window),
	KUNIT_CASE(rsk_chan_connect_data_close),
	KUNIT_CASE(rsk_chan_refused),
	KUNIT_CASE(rsk_chan_rst_received),
	KUNIT_CASE(rsk_chan_close_unread),
	KUNIT_CASE(rsk_chan_passive_accept),
	KUNIT_CASE(rsk_chan_self_link_proof),
	KUNIT_CASE_SLOW(rsk_chan_half_open),
	KUNIT_CASE_SLOW(rsk_chan_keepalive_probes),
	KUNIT_CASE(rsk_chan_ctrl_nomem_retried),
	KUNIT_CASE(rsk_chan_data_nomem_retried),
	KUNIT_CASE(rsk_chan_accept_nomem_retried),
	KUNIT_CASE(rsk_chan_small_data_memory),
	KUNIT_CASE(rsk_chan_peek_across_chunks),
	KUNIT_CASE_PARAM(rsk_chan_validation, fake_row_gen_params),
	KUNIT_CASE_SLOW(rsk_chan_fuzz),
	{}
};

static struct kunit_suite rsk_chan_suite = {
	.name = "rdma_sock_chan",
	.init = fake_init,
	.exit = fake_exit,
	.test_cases = rsk_chan_cases,
};

kunit_test_suite(rsk_chan_suite);
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
