// SPDX-License-Identifier: GPL-2.0
// rsk_hostile: a hostile rdmasock peer for the test bed.  It speaks the
// wire protocol (Documentation/networking/rdma_sock.rst) on librdmacm and
// libibverbs, as any host on the fabric could, and does what the module
// must withstand (Documentation/networking/rdma_sock-threats.rst):
//
//   links   open many links and never answer LINK_CLOSE
//   unproven  links that do not prove their address: a CONN_REQ instead
//           of the LINK_PROOF, a wrong cookie, nothing at all
//   flood   1-byte DATA to a child nobody accepts, then the rest of the
//           window it advertised, then one byte past it
//   replay  send the victim's own host_id back in the hello, then ask for
//           a channel to 127.0.0.1
//   spoof   ask for a channel from a source address the link is not from
//   malformed  every malformed variant of the protocol document's
//           "Validation" rows that can be sent on a link: link-level ones,
//           bad CONN_REQs, and on channels of their own, bad DATA, FIN,
//           WINDOW and ACCEPT; one line "variant NAME answer ..." each
//   squat   (on the victim itself, as an unprivileged user) bind and listen
//           on the module's rdma_cm ports before it does, to take the
//           requests other hosts send it
//
// Each attack prints what the victim answered, one "key value" per line,
// for the stage script to check; the victim's counters tell the rest.
// Exit status: 0 when the attack could be made, 1 when it could not (no
// route, no device), 2 for a usage error.
#include <CLI/CLI.hpp>

#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>
#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <endian.h>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "wire.hpp"

namespace {

// Bounds every wait for the victim; a victim on the debug kernel under TCG
// can take seconds to answer (KASAN, kmemleak scans).
constexpr int kTimeoutMs = 20000;
constexpr size_t kBufSize = 16384;
constexpr int kRecvs = 16;

struct Failure : std::runtime_error {
	using std::runtime_error::runtime_error;
};

sockaddr_storage parse_addr(const std::string &ip, uint16_t port)
{
	sockaddr_storage ss{};
	auto *sin = reinterpret_cast<sockaddr_in *>(&ss);
	auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);

	if (inet_pton(AF_INET, ip.c_str(), &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, ip.c_str(), &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
	} else {
		throw CLI::ValidationError("not an IP address: " + ip);
	}
	return ss;
}

rsk_wire_hello make_hello(uint64_t host_id)
{
	rsk_wire_hello h{};
	h.magic = htonl(RSK_WIRE_MAGIC);
	h.version = RSK_WIRE_VERSION;
	h.min_version = RSK_WIRE_MIN_VERSION;
	h.max_msg = htonl(kBufSize);
	h.host_id = htobe64(host_id);
	h.link_id = htonl(1);
	return h;
}

// How a Link answers the victim's LINK_CHALLENGE.
enum class Proof { Echo, Wrong, None };

// One RC link to the victim, set up as the module's active side does it:
// up once the victim's LINK_CHALLENGE is echoed (unless @proof says not).
class Link {
public:
	Link(const sockaddr_storage &dst, const rsk_wire_hello &hello,
	     Proof proof = Proof::Echo)
	{
		ec_ = rdma_create_event_channel();
		if (!ec_ || rdma_create_id(ec_, &id_, nullptr, RDMA_PS_TCP))
			throw Failure("rdma_create_id: " + std::string(strerror(errno)));
		if (rdma_resolve_addr(id_, nullptr, (sockaddr *)&dst, kTimeoutMs))
			throw Failure("rdma_resolve_addr: " + std::string(strerror(errno)));
		expect(RDMA_CM_EVENT_ADDR_RESOLVED);
		if (rdma_resolve_route(id_, kTimeoutMs))
			throw Failure("rdma_resolve_route");
		expect(RDMA_CM_EVENT_ROUTE_RESOLVED);
		setup_qp();
		rdma_conn_param param{};
		param.private_data = &hello;
		param.private_data_len = sizeof(hello);
		param.retry_count = 7;
		param.rnr_retry_count = 7;
		if (rdma_connect(id_, &param))
			throw Failure("rdma_connect");
		rdma_cm_event *ev = next_event();
		event_ = ev->event;
		if (ev->event == RDMA_CM_EVENT_ESTABLISHED &&
		    ev->param.conn.private_data_len >= sizeof(rsk_wire_hello))
			memcpy(&peer_hello_, ev->param.conn.private_data,
			       sizeof(peer_hello_));
		if (ev->event == RDMA_CM_EVENT_REJECTED &&
		    ev->param.conn.private_data_len >= sizeof(rsk_wire_reject)) {
			rsk_wire_reject rej;
			memcpy(&rej, ev->param.conn.private_data, sizeof(rej));
			if (ntohl(rej.magic) == RSK_WIRE_MAGIC)
				reject_reason_ = ntohs(rej.reason);
		}
		rdma_ack_cm_event(ev);
		if (up())
			prove(proof);
	}

	~Link()
	{
		if (id_ && id_->qp)
			rdma_destroy_qp(id_);
		if (mr_)
			ibv_dereg_mr(mr_);
		if (cq_)
			ibv_destroy_cq(cq_);
		if (pd_)
			ibv_dealloc_pd(pd_);
		if (id_)
			rdma_destroy_id(id_);
		if (ec_)
			rdma_destroy_event_channel(ec_);
	}

	Link(const Link &) = delete;
	Link &operator=(const Link &) = delete;

	bool up() const { return event_ == RDMA_CM_EVENT_ESTABLISHED; }
	// The victim's LINK_CHALLENGE came, with a cookie other than 0.
	bool challenged() const { return cookie_ != 0; }

	// Whether the victim disconnects the link within @ms.
	bool disconnected(int ms)
	{
		auto deadline = now() + std::chrono::milliseconds(ms);

		while (now() < deadline) {
			pollfd p{ec_->fd, POLLIN, 0};
			int left = std::chrono::duration_cast<std::chrono::milliseconds>(
					   deadline - now()).count();
			if (::poll(&p, 1, std::max(left, 0)) <= 0)
				continue;
			rdma_cm_event *ev = next_event();
			auto got = ev->event;
			rdma_ack_cm_event(ev);
			if (got == RDMA_CM_EVENT_DISCONNECTED)
				return true;
		}
		return false;
	}
	int reject_reason() const { return reject_reason_; }
	const rsk_wire_hello &peer_hello() const { return peer_hello_; }

	// One message: the header and a body, SENT and waited for.
	void send(const rsk_wire_hdr &hdr, const void *body, size_t len)
	{
		std::vector<uint8_t> msg(sizeof(hdr) + len);

		memcpy(msg.data(), &hdr, sizeof(hdr));
		if (len)
			memcpy(msg.data() + sizeof(hdr), body, len);
		send_bytes(msg.data(), msg.size());
	}

	// Bytes as they are, header or not (a message too short to be one).
	void send_bytes(const void *data, size_t len)
	{
		uint8_t *buf = bufs_.data() + kRecvs * kBufSize;

		memcpy(buf, data, len);
		ibv_sge sge{(uintptr_t)buf, (uint32_t)len, mr_->lkey};
		ibv_send_wr wr{}, *bad;
		wr.wr_id = kRecvs;
		wr.sg_list = &sge;
		wr.num_sge = 1;
		wr.opcode = IBV_WR_SEND;
		wr.send_flags = IBV_SEND_SIGNALED;
		if (ibv_post_send(id_->qp, &wr, &bad))
			throw Failure("ibv_post_send");
		sent_ = false;
		auto deadline = now() + std::chrono::milliseconds(kTimeoutMs);
		while (!sent_ && now() < deadline)
			poll();
		if (!sent_)
			throw Failure("send not completed");
	}

	// Our own address on the link, as the victim sees it.
	std::string local_addr() const
	{
		char text[INET6_ADDRSTRLEN] = "";
		const sockaddr *sa = rdma_get_local_addr(id_);

		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const sockaddr_in *)sa)->sin_addr,
				  text, sizeof(text));
		else
			inet_ntop(AF_INET6, &((const sockaddr_in6 *)sa)->sin6_addr,
				  text, sizeof(text));
		return text;
	}

	// The next channel message of @type (others dropped), or none in time.
	std::optional<std::vector<uint8_t>> await(uint8_t type, int ms = kTimeoutMs)
	{
		auto deadline = now() + std::chrono::milliseconds(ms);
		while (now() < deadline) {
			for (size_t i = 0; i < received_.size(); i++) {
				if (received_[i][0] != type)
					continue;
				auto msg = received_[i];
				received_.erase(received_.begin() + i);
				return msg;
			}
			if (!poll())
				std::this_thread::sleep_for(std::chrono::milliseconds(1));
		}
		return std::nullopt;
	}

	// Receive what comes, answering nothing, for @ms.
	void ignore(int ms)
	{
		auto deadline = now() + std::chrono::milliseconds(ms);
		while (now() < deadline) {
			if (!poll())
				std::this_thread::sleep_for(std::chrono::milliseconds(5));
			received_.clear();
		}
	}

private:
	// The victim's LINK_CHALLENGE, answered as @proof says.
	void prove(Proof proof)
	{
		auto m = await(RSK_MSG_LINK_CHALLENGE);
		rsk_wire_proof body{};

		if (!m || m->size() != sizeof(rsk_wire_hdr) + sizeof(body))
			return;
		memcpy(&body, m->data() + sizeof(rsk_wire_hdr), sizeof(body));
		cookie_ = be64toh(body.cookie);
		if (proof == Proof::None)
			return;
		if (proof == Proof::Wrong)
			body.cookie = htobe64(cookie_ + 1);
		rsk_wire_hdr hdr{};
		hdr.type = RSK_MSG_LINK_PROOF;
		send(hdr, &body, sizeof(body));
	}

	static std::chrono::steady_clock::time_point now()
	{
		return std::chrono::steady_clock::now();
	}

	rdma_cm_event *next_event()
	{
		rdma_cm_event *ev;
		if (rdma_get_cm_event(ec_, &ev))
			throw Failure("rdma_get_cm_event");
		return ev;
	}

	void expect(rdma_cm_event_type want)
	{
		rdma_cm_event *ev = next_event();
		auto got = ev->event;
		rdma_ack_cm_event(ev);
		if (got != want)
			throw Failure(std::string("rdma_cm: ") + rdma_event_str(got));
	}

	void setup_qp()
	{
		pd_ = ibv_alloc_pd(id_->verbs);
		cq_ = pd_ ? ibv_create_cq(id_->verbs, 2 * kRecvs + 4, nullptr,
					  nullptr, 0) : nullptr;
		if (!cq_)
			throw Failure("ibv_create_cq");
		ibv_qp_init_attr attr{};
		attr.send_cq = cq_;
		attr.recv_cq = cq_;
		attr.qp_type = IBV_QPT_RC;
		attr.cap.max_send_wr = 4;
		attr.cap.max_recv_wr = kRecvs;
		attr.cap.max_send_sge = 1;
		attr.cap.max_recv_sge = 1;
		if (rdma_create_qp(id_, pd_, &attr))
			throw Failure("rdma_create_qp");
		bufs_.resize((kRecvs + 1) * kBufSize);
		mr_ = ibv_reg_mr(pd_, bufs_.data(), bufs_.size(),
				 IBV_ACCESS_LOCAL_WRITE);
		if (!mr_)
			throw Failure("ibv_reg_mr");
		for (int i = 0; i < kRecvs; i++)
			post_recv(i);
	}

	void post_recv(int i)
	{
		ibv_sge sge{(uintptr_t)(bufs_.data() + i * kBufSize), kBufSize,
			    mr_->lkey};
		ibv_recv_wr wr{}, *bad;
		wr.wr_id = i;
		wr.sg_list = &sge;
		wr.num_sge = 1;
		if (ibv_post_recv(id_->qp, &wr, &bad))
			throw Failure("ibv_post_recv");
	}

	// One completion, if there is one.
	bool poll()
	{
		ibv_wc wc;
		int n = ibv_poll_cq(cq_, 1, &wc);

		if (n <= 0)
			return false;
		if (wc.status != IBV_WC_SUCCESS)
			throw Failure(std::string("completion: ") +
				      ibv_wc_status_str(wc.status));
		if (wc.wr_id == (uint64_t)kRecvs) {
			sent_ = true;
			return true;
		}
		const uint8_t *p = bufs_.data() + wc.wr_id * kBufSize;
		if (wc.byte_len >= sizeof(rsk_wire_hdr))
			received_.emplace_back(p, p + wc.byte_len);
		post_recv(wc.wr_id);
		return true;
	}

	rdma_event_channel *ec_ = nullptr;
	rdma_cm_id *id_ = nullptr;
	ibv_pd *pd_ = nullptr;
	ibv_cq *cq_ = nullptr;
	ibv_mr *mr_ = nullptr;
	std::vector<uint8_t> bufs_;
	rdma_cm_event_type event_ = RDMA_CM_EVENT_CONNECT_ERROR;
	int reject_reason_ = 0;
	rsk_wire_hello peer_hello_{};
	std::vector<std::vector<uint8_t>> received_;
	bool sent_ = false;
	uint64_t cookie_ = 0;
};

// A CONN_REQ on @link from @src:@sport to @dst:@dport; what came back.
void conn_req(Link &link, const std::string &src, uint16_t sport,
	      const std::string &dst, uint16_t dport)
{
	rsk_wire_hdr hdr{};
	rsk_wire_conn conn{};
	sockaddr_storage s = parse_addr(src, sport), d = parse_addr(dst, dport);

	if (s.ss_family != d.ss_family)
		throw CLI::ValidationError("source and destination families differ");
	hdr.type = RSK_MSG_CONN_REQ;
	hdr.src_chan = htonl(7);
	hdr.seq = htonl(1000);
	hdr.wnd = htonl(65536);
	conn.dst_port = htons(dport);
	conn.src_port = htons(sport);
	if (d.ss_family == AF_INET) {
		conn.ip_version = 4;
		memcpy(conn.dst_addr, &((sockaddr_in *)&d)->sin_addr, 4);
		memcpy(conn.src_addr, &((sockaddr_in *)&s)->sin_addr, 4);
	} else {
		conn.ip_version = 6;
		memcpy(conn.dst_addr, &((sockaddr_in6 *)&d)->sin6_addr, 16);
		memcpy(conn.src_addr, &((sockaddr_in6 *)&s)->sin6_addr, 16);
	}
	link.send(hdr, &conn, sizeof(conn));
	for (int tries = 0; tries < 2 * kTimeoutMs / 100; tries++) {
		if (auto m = link.await(RSK_MSG_CONN_REFUSE, 50)) {
			rsk_wire_refuse r{};
			if (m->size() >= sizeof(rsk_wire_hdr) + sizeof(r))
				memcpy(&r, m->data() + sizeof(rsk_wire_hdr), sizeof(r));
			printf("answer refuse\nreason %u\n", ntohl(r.reason));
			return;
		}
		if (link.await(RSK_MSG_CONN_ACCEPT, 50)) {
			printf("answer accept\n");
			return;
		}
	}
	printf("answer none\n");
}

rsk_wire_hdr make_hdr(uint8_t type, uint8_t flags, uint32_t dst, uint32_t src,
		      uint32_t seq, uint32_t ack, uint32_t wnd)
{
	rsk_wire_hdr h{};

	h.type = type;
	h.flags = flags;
	h.dst_chan = htonl(dst);
	h.src_chan = htonl(src);
	h.seq = htonl(seq);
	h.ack = htonl(ack);
	h.wnd = htonl(wnd);
	return h;
}

// What the victim sent back within @ms: "rst", "refuse", or "none".
std::string answer(Link &link, int ms)
{
	for (int i = 0; i < ms / 50; i++) {
		if (link.await(RSK_MSG_RST, 25))
			return "rst";
		if (link.await(RSK_MSG_CONN_REFUSE, 25))
			return "refuse";
	}
	return "none";
}

void variant(const char *name, const std::string &what)
{
	printf("variant %s answer %s\n", name, what.c_str());
}

// A channel of our own: our id @chan, and what the victim's ACCEPT said.
struct Chan {
	uint32_t ours, theirs, their_seq, our_seq, wnd;
};

std::optional<Chan> open_chan(Link &link, const std::string &dst,
			      uint16_t dport, uint32_t chan)
{
	rsk_wire_conn conn{};
	sockaddr_storage s = parse_addr(link.local_addr(), 0);
	sockaddr_storage d = parse_addr(dst, dport);

	conn.dst_port = htons(dport);
	conn.src_port = htons(40000 + chan % 1000);
	conn.ip_version = 4;
	memcpy(conn.dst_addr, &((sockaddr_in *)&d)->sin_addr, 4);
	memcpy(conn.src_addr, &((sockaddr_in *)&s)->sin_addr, 4);
	link.send(make_hdr(RSK_MSG_CONN_REQ, 0, 0, chan, 1000, 0, 65536),
		  &conn, sizeof(conn));
	auto m = link.await(RSK_MSG_CONN_ACCEPT, kTimeoutMs);
	if (!m || m->size() < sizeof(rsk_wire_hdr))
		return std::nullopt;
	rsk_wire_hdr h;
	memcpy(&h, m->data(), sizeof(h));
	return Chan{chan, ntohl(h.src_chan), ntohl(h.seq), 1000, ntohl(h.wnd)};
}

// Every malformed message of the validation table a link can carry.
void malformed(Link &link, const std::string &dst, uint16_t dport)
{
	uint8_t raw[sizeof(rsk_wire_hdr)] = { RSK_MSG_DATA };
	rsk_wire_conn conn{};
	uint32_t next = 100;

	link.send_bytes(raw, sizeof(raw) - 1);
	variant("short", answer(link, 300));
	link.send(make_hdr(0x7f, 0, 0, 0, 0, 0, 0), nullptr, 0);
	variant("unknown_type", answer(link, 300));
	link.send(make_hdr(RSK_MSG_ZC_ADV, 0, 0, 0, 0, 0, 0), nullptr, 0);
	variant("not_negotiated", answer(link, 300));
	link.send(make_hdr(RSK_MSG_KEEPALIVE, 0, 5, 0, 0, 0, 0), nullptr, 0);
	variant("link_chan", answer(link, 300));
	link.send(make_hdr(RSK_MSG_LINK_CLOSE, 0, 0, 0, 0, 0, 0), "x", 1);
	variant("link_len", answer(link, 300));
	link.send(make_hdr(RSK_MSG_LINK_CHALLENGE, 0, 0, 0, 0, 0, 0), "x", 1);
	variant("proof_len", answer(link, 300));
	link.send(make_hdr(RSK_MSG_LINK_PROOF, 0, 0, 0, 0, 0, 0), "12345678", 8);
	variant("proof_when_up", answer(link, 300));
	link.send(make_hdr(RSK_MSG_CONN_REQ, 0, 5, next++, 0, 0, 0), &conn,
		  sizeof(conn));
	variant("req_ids", answer(link, 300));
	link.send(make_hdr(RSK_MSG_CONN_REQ, 0, 0, next++, 0, 0, 0), &conn,
		  sizeof(conn) - 1);
	variant("req_len", answer(link, 1000));
	conn.dst_port = htons(dport);
	conn.ip_version = 4;
	link.send(make_hdr(RSK_MSG_CONN_REQ, 0, 0, next++, 0, 0, 0), &conn,
		  sizeof(conn));
	variant("req_port", answer(link, 1000));
	conn.src_port = htons(1);
	conn.ip_version = 5;
	link.send(make_hdr(RSK_MSG_CONN_REQ, 0, 0, next++, 0, 0, 0), &conn,
		  sizeof(conn));
	variant("req_version", answer(link, 1000));
	conn.ip_version = 6;
	conn.dst_addr[10] = conn.dst_addr[11] = 0xff;
	conn.dst_addr[15] = 1;
	link.send(make_hdr(RSK_MSG_CONN_REQ, 0, 0, next++, 0, 0, 0), &conn,
		  sizeof(conn));
	variant("req_mapped", answer(link, 1000));
	link.send(make_hdr(RSK_MSG_DATA, 0, 999999, next++, 0, 0, 0), "x", 1);
	variant("no_channel", answer(link, 1000));
	link.send(make_hdr(RSK_MSG_RST, 0, 999999, next++, 0, 0, 0), "\0\0\0\1", 4);
	variant("no_channel_rst", answer(link, 300));

	// On channels of their own: each is reset or ignored.
	struct ChanCase {
		const char *name;
		uint8_t type, flags;
		int seq_off, ack_off;
		bool wrong_src, fin_first;
		size_t len;
	} cases[] = {
		{ "bad_len", RSK_MSG_WINDOW, 0, 0, 0, false, false, 1 },
		{ "empty_data", RSK_MSG_DATA, 0, 0, 0, false, false, 0 },
		{ "src_mismatch", RSK_MSG_DATA, 0, 0, 0, true, false, 1 },
		{ "bad_state", RSK_MSG_CONN_ACCEPT, 0, 0, 0, false, false, 0 },
		{ "after_fin", RSK_MSG_FIN, 0, 0, 0, false, true, 0 },
		{ "bad_ack", RSK_MSG_DATA, 0, 0, 7, false, false, 1 },
		{ "bad_seq", RSK_MSG_DATA, 0, 5, 0, false, false, 1 },
		{ "urgent", RSK_MSG_DATA, RSK_DATA_URG, 0, 0, false, false, 1 },
	};
	for (const auto &c : cases) {
		auto ch = open_chan(link, dst, dport, next++);

		if (!ch) {
			variant(c.name, "no_channel_opened");
			continue;
		}
		if (c.fin_first)
			link.send(make_hdr(RSK_MSG_FIN, 0, ch->theirs, ch->ours,
					   ch->our_seq, ch->their_seq, 65536),
				  nullptr, 0);
		link.send(make_hdr(c.type, c.flags, ch->theirs,
				   c.wrong_src ? ch->ours + 1 : ch->ours,
				   ch->our_seq + c.seq_off,
				   ch->their_seq + c.ack_off, 65536),
			  "y", c.len);
		variant(c.name, answer(link, 1000));
		// Ours goes: RST, so the victim's echo service closes it.
		link.send(make_hdr(RSK_MSG_RST, 0, ch->theirs, ch->ours, 0, 0, 0),
			  "\0\0\0\1", 4);
	}
}

// Links that do not prove their address, one per way of failing: each
// prints "unproven_NAME challenged yes|no answer A disconnected yes|no".
// A wrong message must end the link at once (within @wait_ms), silence
// once the victim's limit has passed (within @silent_ms).
void unproven(const sockaddr_storage &victim, const std::string &dst,
	      uint16_t dport, int wait_ms, int silent_ms)
{
	struct {
		const char *name;
		Proof proof;
		bool conn_req;
		int wait_ms;
	} ways[] = {
		{ "conn_req", Proof::None, true, wait_ms },
		{ "wrong_cookie", Proof::Wrong, false, wait_ms },
		{ "silent", Proof::None, false, silent_ms },
	};
	for (const auto &w : ways) {
		Link link(victim, make_hello(0x9999), w.proof);
		std::string said = "none";

		if (!link.up())
			throw Failure("no link");
		if (w.conn_req) {
			// As after a proof: would it make a child?
			rsk_wire_conn conn{};
			sockaddr_storage s = parse_addr(link.local_addr(), 0);
			sockaddr_storage d = parse_addr(dst, dport);

			conn.dst_port = htons(dport);
			conn.src_port = htons(41000);
			conn.ip_version = 4;
			memcpy(conn.dst_addr, &((sockaddr_in *)&d)->sin_addr, 4);
			memcpy(conn.src_addr, &((sockaddr_in *)&s)->sin_addr, 4);
			link.send(make_hdr(RSK_MSG_CONN_REQ, 0, 0, 11, 1000, 0, 65536),
				  &conn, sizeof(conn));
			if (link.await(RSK_MSG_CONN_ACCEPT, 500))
				said = "accept";
		}
		bool gone = link.disconnected(w.wait_ms);
		printf("unproven_%s challenged %s answer %s disconnected %s\n",
		       w.name, link.challenged() ? "yes" : "no", said.c_str(),
		       gone ? "yes" : "no");
	}
}

// A barrier with the victim's stage script: files in the folder both
// guests share, as rsk_signal and rsk_await make them.
void sync_signal(const std::string &dir, const std::string &name)
{
	FILE *f = fopen((dir + "/sync." + name).c_str(), "w");

	if (!f)
		throw Failure("cannot signal " + name);
	fclose(f);
}

void sync_await(const std::string &dir, const std::string &name)
{
	auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
	std::string path = dir + "/sync." + name;

	while (access(path.c_str(), F_OK)) {
		if (std::chrono::steady_clock::now() > deadline)
			throw Failure("no " + name + " from the victim");
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	}
}

// @count 1-byte DATA to a child nobody accepts (the victim counts the
// memory they take between flood-open and flood-sent), then the rest of
// the window its ACCEPT advertised, then one byte past it.
void flood(Link &link, const std::string &dst, uint16_t dport, int count,
	   const std::string &sync_dir)
{
	auto ch = open_chan(link, dst, dport, 500);

	if (!ch)
		throw Failure("no channel to flood");
	printf("flood_window %u\n", ch->wnd);
	if ((uint32_t)count >= ch->wnd)
		throw Failure("a flood as large as the window");
	sync_signal(sync_dir, "flood-open");
	sync_await(sync_dir, "flood-base");
	uint32_t seq = ch->our_seq;
	for (int i = 0; i < count; i++, seq++)
		link.send(make_hdr(RSK_MSG_DATA, 0, ch->theirs, ch->ours, seq,
				   ch->their_seq, 65536), "z", 1);
	printf("flood_sent %d\n", count);
	variant("flood", answer(link, 300));
	sync_signal(sync_dir, "flood-sent");
	sync_await(sync_dir, "flood-counted");

	// The window to its edge, in messages as large as the victim takes.
	size_t room = ntohl(link.peer_hello().max_msg) - sizeof(rsk_wire_hdr);
	std::vector<uint8_t> fill(std::min(room, kBufSize - sizeof(rsk_wire_hdr)), 'w');
	uint32_t left = ch->wnd - count;
	while (left) {
		uint32_t n = std::min<uint32_t>(left, fill.size());

		link.send(make_hdr(RSK_MSG_DATA, 0, ch->theirs, ch->ours, seq,
				   ch->their_seq, 65536), fill.data(), n);
		seq += n;
		left -= n;
	}
	variant("window_full", answer(link, 500));
	link.send(make_hdr(RSK_MSG_DATA, 0, ch->theirs, ch->ours, seq,
			   ch->their_seq, 65536), "!", 1);
	variant("window", answer(link, 1000));
}

// A listener on @port of @ps, on the wildcard as the module's: prints
// "squat_<name> ok" or the errno rdma_cm gave, and holds the port until
// it goes out of scope.
class Squat {
public:
	Squat(rdma_port_space ps, const char *name, uint16_t port)
	{
		sockaddr_in6 any{};

		ec_ = rdma_create_event_channel();
		if (!ec_ || rdma_create_id(ec_, &id_, nullptr, ps))
			throw Failure("rdma_create_id: " + std::string(strerror(errno)));
		any.sin6_family = AF_INET6;
		any.sin6_port = htons(port);
		if (rdma_bind_addr(id_, (sockaddr *)&any) || rdma_listen(id_, 8))
			printf("squat_%s %s\n", name, strerrorname_np(errno));
		else
			printf("squat_%s ok\n", name);
	}

	~Squat()
	{
		if (id_)
			rdma_destroy_id(id_);
		if (ec_)
			rdma_destroy_event_channel(ec_);
	}

	Squat(const Squat &) = delete;
	Squat &operator=(const Squat &) = delete;

private:
	rdma_event_channel *ec_ = nullptr;
	rdma_cm_id *id_ = nullptr;
};

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"rsk_hostile: a hostile rdmasock peer for the test bed"};
	std::string peer;
	uint16_t port = 886, dgram_port = 886;
	int count = 8, hold_ms = 0;
	std::string dst, src;
	uint16_t dport = 0, sport = 4321;

	app.add_option("--peer", peer, "the victim's address");
	app.add_option("--link-port", port, "its net.rdma_sock.link_port");
	app.add_option("--dgram-port", dgram_port, "its net.rdma_sock.dgram_port");
	app.require_subcommand(1);
	auto *links = app.add_subcommand("links", "open links, answer nothing");
	links->add_option("--count", count, "how many")->check(CLI::Range(1, 4096));
	links->add_option("--hold-ms", hold_ms, "how long to keep them, silent");
	auto *replay = app.add_subcommand("replay",
		"our hello with the victim's host_id, then 127.0.0.1");
	replay->add_option("--dst-port", dport, "a port listening on 127.0.0.1")->required();
	auto *spoof = app.add_subcommand("spoof", "a CONN_REQ from an address not ours");
	spoof->add_option("--dst", dst, "the listener's address")->required();
	spoof->add_option("--dst-port", dport, "its port")->required();
	spoof->add_option("--src", src, "the source address to claim")->required();
	auto *bad = app.add_subcommand("malformed", "every malformed message");
	bad->add_option("--dst", dst, "a listener's address")->required();
	bad->add_option("--dst-port", dport, "its port")->required();
	auto *unprov = app.add_subcommand("unproven",
		"links that do not prove their address, each awaited --wait-ms");
	unprov->add_option("--dst", dst, "a listener's address")->required();
	unprov->add_option("--dst-port", dport, "its port")->required();
	int wait_ms = 5000, silent_ms = 50000;
	unprov->add_option("--wait-ms", wait_ms,
			   "how long the victim may take to drop a link that sent a wrong message");
	unprov->add_option("--silent-ms", silent_ms,
			   "how long it may take to drop one that sends nothing");
	auto *flooder = app.add_subcommand("flood",
		"1-byte DATA to a child never accepted, then past its window");
	flooder->add_option("--dst", dst, "a listener that never accepts")->required();
	flooder->add_option("--dst-port", dport, "its port")->required();
	flooder->add_option("--count", count, "1-byte messages")->check(CLI::Range(1, 60000));
	std::string sync_dir;
	flooder->add_option("--sync-dir", sync_dir, "the folder of the barriers")->required();
	auto *squatter = app.add_subcommand("squat", "take the module's rdma_cm ports");
	squatter->add_option("--hold-ms", hold_ms, "how long to hold them");
	CLI11_PARSE(app, argc, argv);

	setvbuf(stdout, nullptr, _IOLBF, 0);
	try {
		if (squatter->parsed()) {
			Squat link(RDMA_PS_TCP, "link", port);
			Squat dgram(RDMA_PS_UDP, "dgram", dgram_port);

			printf("holding\n");
			std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
			return 0;
		}
		if (peer.empty()) {
			fprintf(stderr, "rsk_hostile: --peer is required\n");
			return 2;
		}
		sockaddr_storage victim = parse_addr(peer, port);
		if (links->parsed()) {
			std::vector<std::unique_ptr<Link>> held;
			int up = 0, busy = 0, other = 0;

			for (int i = 0; i < count; i++) {
				auto l = std::make_unique<Link>(victim, make_hello(0x1234 + i));
				if (l->up())
					up++;
				else if (l->reject_reason() == RSK_REJECT_BUSY)
					busy++;
				else
					other++;
				if (l->up())
					held.push_back(std::move(l));
			}
			printf("links_up %d\nlinks_busy %d\nlinks_failed %d\n", up, busy, other);
			// Receive, so the victim's sends complete, but answer nothing.
			auto end = std::chrono::steady_clock::now() +
				   std::chrono::milliseconds(hold_ms);
			while (std::chrono::steady_clock::now() < end)
				for (auto &l : held)
					l->ignore(50);
			return 0;
		}
		if (flooder->parsed()) {
			Link link(victim, make_hello(0xf100d));
			if (!link.up())
				throw Failure("no link");
			flood(link, dst, dport, count, sync_dir);
			return 0;
		}
		if (unprov->parsed()) {
			unproven(victim, dst, dport, wait_ms, silent_ms);
			return 0;
		}
		if (bad->parsed()) {
			Link link(victim, make_hello(0x8888));
			if (!link.up())
				throw Failure("no link");
			malformed(link, dst, dport);
			return 0;
		}
		if (replay->parsed()) {
			// Learn the victim's host_id from a first link's REP.
			Link probe(victim, make_hello(0x5555));
			if (!probe.up())
				throw Failure("no link to learn the host_id on");
			uint64_t host_id = be64toh(probe.peer_hello().host_id);
			Link link(victim, make_hello(host_id));
			if (!link.up())
				throw Failure("no link with the replayed host_id");
			printf("host_id %016llx\n", (unsigned long long)host_id);
			conn_req(link, "127.0.0.1", sport, "127.0.0.1", dport);
			return 0;
		}
		Link link(victim, make_hello(0x7777));
		if (!link.up())
			throw Failure("no link");
		conn_req(link, src, sport, dst, dport);
		return 0;
	} catch (const Failure &e) {
		fprintf(stderr, "rsk_hostile: %s\n", e.what());
		return 1;
	}
}
