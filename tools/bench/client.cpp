// SPDX-License-Identifier: GPL-2.0
#include "client.hpp"

#include "common.hpp"

namespace rsk_bench {

Socket Client::open(int type) const
{
	Socket s = transport.open(server, type);
	if (transport.full_api())
		s.set_timeouts(timeout);
	return s;
}

Socket Client::dial() const
{
	Socket s = open();
	s.connect(server);
	return s;
}

wire::Ack Client::start(Socket &s, const wire::Header &h) const
{
	wire::send(s, h);
	wire::AckBytes ab;
	s.recv_exact(ab.data(), ab.size(), "waiting for the server's ack");
	wire::Ack ack = wire::decode_ack(ab);
	if (ack.status == wire::AckStatus::BadHeader)
		throw TestError("the server rejected the header (another rsk_bench version?)");
	if (ack.status == wire::AckStatus::OptionFailed)
		throw TestError("the server could not set the socket options asked for: " +
				errno_text(ack.err));
	return ack;
}

json Client::params(json extra) const
{
	extra["server"] = server.str();
	extra["timeout_s"] = timeout.count() / 1000.0;
	if (transport.is_rdma())
		extra["af"] = transport.rdma_family();
	return extra;
}

void Client::result(const std::string &test, json test_params, json values,
		    const std::string &line) const
{
	out.result(test, transport.name(), params(std::move(test_params)), std::move(values),
		   line);
}

} /* namespace rsk_bench */
