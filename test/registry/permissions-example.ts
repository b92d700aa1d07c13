import { Greeter } from "../../generated/example/greeter/v1/greeter_pb.js";
import { OrderService } from "../../generated/example/orders/v1/orders_pb.js";
import { authorizationBlock } from "../../runtime/nats/permissions/authorization-block.js";
import {
  clientPermissions,
  serverPermissions,
} from "../../runtime/nats/permissions/service-permissions.js";

/** The example block committed as runtime/nats/permissions/example-authorization.conf. */
export function exampleAuthorization(): string {
  return authorizationBlock([
    {
      user: "greeter",
      password: "change-me-greeter",
      permissions: serverPermissions([Greeter]),
    },
    {
      user: "orders",
      password: "change-me-orders",
      permissions: serverPermissions([OrderService]),
    },
    {
      user: "web",
      password: "change-me-web",
      permissions: clientPermissions([Greeter, OrderService], { inboxPrefix: "_INBOX.web" }),
    },
  ]);
}
